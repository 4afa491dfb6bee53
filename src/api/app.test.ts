import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { silentLogger } from "../lib/index.ts";
import { emptyEngine, fixedSystem, noImages, systemInfo } from "../../test/support/fixtures.ts";
import { createApi } from "./app.ts";
import { readJsonObject } from "./json-body.ts";

const api = createApi({ system: fixedSystem(), images: noImages(), ...emptyEngine(), logger: silentLogger });
const call = (path: string, init?: RequestInit) => api.request(`http://shoal${path}`, init);

describe("ping", () => {
  test("HEAD /_ping answers with the headers the docker CLI negotiates from", async () => {
    const response = await call("/_ping", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("Api-Version")).toBe("1.51");
    expect(response.headers.get("Ostype")).toBe("linux");
    expect(response.headers.get("Docker-Experimental")).toBe("false");
    expect(response.headers.get("Swarm")).toBe("inactive");
    expect(response.headers.get("Cache-Control")).toContain("no-cache");
    expect(await response.text()).toBe("");
  });

  test("GET /_ping says OK", async () => {
    const response = await call("/_ping");
    expect(await response.text()).toBe("OK");
  });

  test("the Swarm header follows the node's state", async () => {
    const manager = createApi({
      system: fixedSystem(systemInfo({ Swarm: { ...systemInfo().Swarm, LocalNodeState: "active", ControlAvailable: true } })),
      images: noImages(),
      ...emptyEngine(),
      logger: silentLogger,
    });
    const response = await manager.request("http://shoal/_ping");
    expect(response.headers.get("Swarm")).toBe("active/manager");
  });
});

describe("versioned paths", () => {
  test("serves a route unversioned and under every version from 1.24 to 1.51", async () => {
    for (const prefix of ["", "/v1.24", "/v1.41", "/v1.50", "/v1.51"]) {
      const response = await call(`${prefix}/version`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { ApiVersion: string }).ApiVersion).toBe("1.51");
    }
  });

  test("refuses a version older than 1.24 with moby's message", async () => {
    const response = await call("/v1.23/info");
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(await response.json()).toEqual({
      message: "client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version",
    });
  });

  test("refuses a version newer than 1.51 with moby's message", async () => {
    const response = await call("/v1.52/version");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: "client version 1.52 is too new. Maximum supported API version is 1.51" });
  });

  test("answers an unknown path with a JSON 404", async () => {
    for (const path of ["/nope", "/v1.51/nope", "/vx/version", "/v1.51"]) {
      const response = await call(path);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/json");
      expect(await response.json()).toEqual({ message: "page not found" });
    }
  });

  test("every response carries Api-Version and Server headers, errors included", async () => {
    for (const path of ["/version", "/nope", "/v1.2/info"]) {
      const response = await call(path);
      expect(response.headers.get("Api-Version")).toBe("1.51");
      expect(response.headers.get("Server")).toMatch(/^shoal\/\S+ \(linux\)$/);
    }
  });
});

describe("info and version", () => {
  test("GET /info serves the node's system information", async () => {
    const body = (await (await call("/v1.51/info")).json()) as { Name: string; Swarm: { LocalNodeState: string } };
    expect(body.Name).toBe("manager1");
    expect(body.Swarm.LocalNodeState).toBe("inactive");
  });
});

describe("JSON bodies", () => {
  const app = new Hono().post("/spec", async (c) => c.json(await readJsonObject(c)));
  const wrapped = createApi({ system: fixedSystem(), images: noImages(), ...emptyEngine(), logger: silentLogger });
  wrapped.route("/", app);
  const post = (body: string, contentType = "application/json") =>
    wrapped.request("http://shoal/v1.51/spec", { method: "POST", body, headers: { "Content-Type": contentType } });

  test("a well-formed object is read", async () => {
    const response = await post('{"Name":"web"}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ Name: "web" });
  });

  test("malformed JSON is a 400 with a JSON message saying so", async () => {
    const response = await post('{"Name": "web"');
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    const { message } = (await response.json()) as { message: string };
    expect(message).toStartWith("invalid JSON in request body:");
  });

  test("a body that is not an object is refused", async () => {
    for (const body of ["[1,2]", '"text"', "42", "null", ""]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toBe("request body must be a JSON object");
    }
  });

  test("a body without the JSON content type is refused as moby does", async () => {
    const response = await post('{"Name":"web"}', "text/plain");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(
      "unsupported Content-Type header (text/plain): must be 'application/json'",
    );
  });
});
