import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { ShoalError } from "../../lib/index.ts";
import type { ApiEnv, NetworkCreateOptions, NetworkResource, NetworkSource } from "../api-env.ts";
import { responseForError } from "../http-errors.ts";
import { networkRoutes } from "./networks.ts";

function resource(name: string, id: string, overrides: Partial<NetworkResource> = {}): NetworkResource {
  return {
    Name: name,
    Id: id,
    Created: "2026-11-01T00:00:00.000Z",
    Scope: "local",
    Driver: "bridge",
    EnableIPv6: false,
    IPAM: { Driver: "default", Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
    ...overrides,
  };
}

/** A NetworkSource over a list, recording what it was asked to create. */
function fakeNetworks() {
  const networks: NetworkResource[] = [
    resource("bridge", "b".repeat(64)),
    resource("host", "c".repeat(64), { Driver: "host" }),
    resource("none", "d".repeat(64), { Driver: "null" }),
    resource("backend", "e".repeat(64), {
      Labels: { team: "web" },
      Containers: { ["f".repeat(64)]: { Name: "api", EndpointID: "1", MacAddress: "02:42:ac:12:00:02", IPv4Address: "172.18.0.2/16", IPv6Address: "" } },
    }),
    resource("scratch", "e1".padEnd(64, "0")),
  ];
  const created: NetworkCreateOptions[] = [];
  const source: NetworkSource = {
    list: () => [...networks],
    get: (idOrName) => {
      const found = networks.find((network) => network.Name === idOrName || network.Id.startsWith(idOrName));
      if (!found) throw new ShoalError("not_found", `network ${idOrName} not found`);
      return found;
    },
    create: (options) => {
      if (networks.some((network) => network.Name === options.Name)) throw new ShoalError("name_conflict", `network with name ${options.Name} already exists`);
      created.push(options);
      networks.push(resource(options.Name, "9".repeat(64)));
      return { Id: "9".repeat(64), Warning: "" };
    },
    remove: (id) => {
      networks.splice(networks.findIndex((network) => network.Id === id), 1);
    },
  };
  const connected: string[] = [];
  const app = new Hono<ApiEnv>().route(
    "/",
    networkRoutes({
      networks: source,
      connectContainer: async (container, network) => void connected.push(`+${container}@${network}`),
      disconnectContainer: async (container, network) => void connected.push(`-${container}@${network}`),
    }),
  );
  app.onError((error) => responseForError(error).response);
  const call = (path: string, init?: RequestInit) => app.request(`http://shoal${path}`, init);
  const post = (path: string, body: unknown) => call(path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  return { call, post, networks, created, connected };
}

const filters = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const names = async (response: Response) => ((await response.json()) as NetworkResource[]).map((network) => network.Name);

describe("GET /networks", () => {
  test("lists every network, predefined ones included", async () => {
    const { call } = fakeNetworks();
    expect(await names(await call("/networks"))).toEqual(["bridge", "host", "none", "backend", "scratch"]);
  });

  test("filters by name, id, driver, label, type and dangling", async () => {
    const { call } = fakeNetworks();
    expect(await names(await call(`/networks?filters=${filters({ name: ["back"] })}`))).toEqual(["backend"]);
    expect(await names(await call(`/networks?filters=${filters({ id: ["e"] })}`))).toEqual(["backend", "scratch"]);
    expect(await names(await call(`/networks?filters=${filters({ driver: ["null"] })}`))).toEqual(["none"]);
    expect(await names(await call(`/networks?filters=${filters({ label: ["team=web"] })}`))).toEqual(["backend"]);
    expect(await names(await call(`/networks?filters=${filters({ type: ["custom"] })}`))).toEqual(["backend", "scratch"]);
    expect(await names(await call(`/networks?filters=${filters({ type: ["builtin"] })}`))).toEqual(["bridge", "host", "none"]);
    expect(await names(await call(`/networks?filters=${filters({ dangling: ["true"] })}`))).toEqual(["scratch"]);
  });

  test("refuses unknown filters and types", async () => {
    const { call } = fakeNetworks();
    const unknown = await call(`/networks?filters=${filters({ colour: ["red"] })}`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ message: "invalid filter 'colour'" });
    expect((await call(`/networks?filters=${filters({ type: ["odd"] })}`)).status).toBe(400);
  });

  test("inspects one by name or ID prefix; 404 otherwise", async () => {
    const { call } = fakeNetworks();
    expect(((await (await call("/networks/backend")).json()) as NetworkResource).Id).toBe("e".repeat(64));
    const missing = await call("/networks/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "network nope not found" });
  });
});

describe("POST /networks/create", () => {
  test("creates a bridge network with its subnet, gateway, labels and options", async () => {
    const { post, created } = fakeNetworks();
    const response = await post("/networks/create", {
      Name: "front",
      Driver: "bridge",
      Internal: true,
      IPAM: { Driver: "default", Config: [{ Subnet: "10.10.0.0/24", Gateway: "10.10.0.254" }] },
      Labels: { a: "b" },
      Options: { "com.docker.network.bridge.name": "brfront" },
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ Id: "9".repeat(64), Warning: "" });
    expect(created).toEqual([
      { Name: "front", Driver: "bridge", Internal: true, Subnet: "10.10.0.0/24", Gateway: "10.10.0.254", Labels: { a: "b" }, Options: { "com.docker.network.bridge.name": "brfront" } },
    ]);
  });

  test("a duplicate name is 409; other drivers are refused clearly", async () => {
    const { post } = fakeNetworks();
    const duplicate = await post("/networks/create", { Name: "backend" });
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toEqual({ message: "network with name backend already exists" });
    const overlay = await post("/networks/create", { Name: "o", Driver: "overlay" });
    expect(overlay.status).toBe(501);
    expect(((await overlay.json()) as { message: string }).message).toContain('network driver "overlay" is not supported');
    expect((await post("/networks/create", {})).status).toBe(400);
  });
});

describe("DELETE /networks/{id} and prune", () => {
  test("removes an unused network; refuses one with endpoints and predefined ones", async () => {
    const { call, networks } = fakeNetworks();
    expect((await call("/networks/scratch", { method: "DELETE" })).status).toBe(204);
    expect(networks.map((network) => network.Name)).not.toContain("scratch");
    const busy = await call("/networks/backend", { method: "DELETE" });
    expect(busy.status).toBe(403);
    expect(((await busy.json()) as { message: string }).message).toBe(`error while removing network: network backend id ${"e".repeat(64)} has active endpoints`);
    const predefined = await call("/networks/bridge", { method: "DELETE" });
    expect(predefined.status).toBe(403);
    expect(await predefined.json()).toEqual({ message: "bridge is a pre-defined network and cannot be removed" });
  });

  test("prune removes unused custom networks only", async () => {
    const { call } = fakeNetworks();
    const response = await call("/networks/prune", { method: "POST" });
    expect(await response.json()).toEqual({ NetworksDeleted: ["scratch"] });
    expect(await (await call(`/networks/prune?filters=${filters({ label: ["x"] })}`, { method: "POST" })).json()).toEqual({ NetworksDeleted: [] });
  });

  test("connect and disconnect name the container and the network (by name, whatever the client gave)", async () => {
    const { post, connected, networks } = fakeNetworks();
    const backend = networks.find((network) => network.Name === "backend")!;
    expect((await post("/networks/backend/connect", { Container: "web" })).status).toBe(200);
    expect((await post(`/networks/${backend.Id.slice(0, 12)}/disconnect`, { Container: "web", Force: false })).status).toBe(200);
    expect(connected).toEqual(["+web@backend", "-web@backend"]);
    const missing = await post("/networks/backend/connect", {});
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toContain("give the container");
    expect((await post("/networks/nosuch/connect", { Container: "web" })).status).toBe(404);
    expect(connected.length).toBe(2);
  });
});
