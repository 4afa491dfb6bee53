import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { VolumeStore, openEngineMeta, type EngineMeta, type Volume } from "../../engine/index.ts";
import type { ApiEnv } from "../api-env.ts";
import { responseForError } from "../http-errors.ts";
import { volumeRoutes } from "./volumes.ts";

const roots: string[] = [];
const metas: EngineMeta[] = [];
afterEach(async () => {
  for (const meta of metas.splice(0)) await meta.close();
  roots.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

/** The volume routes over a real store, with createApi's version variable and error mapping. */
async function setup(apiVersion = "1.51") {
  const dataRoot = mkdtempSync(join(tmpdir(), "shoal-volume-routes-"));
  roots.push(dataRoot);
  const meta = await openEngineMeta(dataRoot);
  metas.push(meta);
  const users: Record<string, string[]> = {};
  const volumes = new VolumeStore({ db: meta.db, root: join(dataRoot, "engine", "volumes"), usedBy: (name) => users[name] ?? [] });
  const app = new Hono<ApiEnv>();
  app.use(async (c, next) => {
    c.set("apiVersion", apiVersion);
    await next();
  });
  app.route("/", volumeRoutes({ volumes }));
  app.onError((error) => responseForError(error).response);
  const call = (path: string, init?: RequestInit) => app.request(`http://shoal${path}`, init);
  const create = (body: unknown) =>
    call("/volumes/create", { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  return { call, create, volumes, users };
}

const filters = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("volume routes", () => {
  test("POST /volumes/create answers 201 with the volume; GET /volumes/{name} inspects it", async () => {
    const { call, create } = await setup();
    const response = await create({ Name: "data", Driver: "local", Labels: { env: "prod" }, DriverOpts: {} });
    expect(response.status).toBe(201);
    const volume = (await response.json()) as Volume;
    expect(volume).toMatchObject({ Name: "data", Driver: "local", Labels: { env: "prod" }, Scope: "local", Options: {} });
    expect(volume.Mountpoint).toEndWith("/engine/volumes/data/_data");
    expect(await (await call("/volumes/data")).json()).toEqual(volume);
  });

  test("an empty create body makes an anonymous volume", async () => {
    const { call } = await setup();
    const response = await call("/volumes/create", { method: "POST" });
    expect(response.status).toBe(201);
    expect(((await response.json()) as Volume).Name).toMatch(/^[0-9a-f]{64}$/);
  });

  test("GET /volumes lists with docker's filters, in both JSON forms", async () => {
    const { call, create, users } = await setup();
    await create({ Name: "web", Labels: { env: "prod" } });
    await create({ Name: "db" });
    users.web = ["c1"];
    const names = async (query: string) => {
      const body = (await (await call(`/volumes${query}`)).json()) as { Volumes: Volume[]; Warnings: string[] };
      expect(body.Warnings).toEqual([]);
      return body.Volumes.map((volume) => volume.Name);
    };
    expect(await names("")).toEqual(["db", "web"]);
    expect(await names(`?filters=${filters({ name: ["we"] })}`)).toEqual(["web"]);
    expect(await names(`?filters=${filters({ label: ["env=prod"] })}`)).toEqual(["web"]);
    expect(await names(`?filters=${filters({ dangling: ["true"] })}`)).toEqual(["db"]);
    expect(await names(`?filters=${filters({ dangling: { false: true } })}`)).toEqual(["web"]);
  });

  test("DELETE /volumes/{name} answers 204, 409 while in use, 404 when missing unless forced", async () => {
    const { call, create, users } = await setup();
    await create({ Name: "data" });
    users.data = ["c1"];
    const busy = await call("/volumes/data?force=1", { method: "DELETE" });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ message: "remove data: volume is in use - [c1]" });
    users.data = [];
    const removed = await call("/volumes/data", { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    const missing = await call("/volumes/data", { method: "DELETE" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "get data: no such volume" });
    expect((await call("/volumes/data?force=true", { method: "DELETE" })).status).toBe(204);
    expect((await call("/volumes/data")).status).toBe(404);
  });

  test("POST /volumes/prune removes unused anonymous volumes, or all with all=true", async () => {
    const { call, create } = await setup();
    const anonymous = (await (await create({})).json()) as Volume;
    await create({ Name: "named" });
    const first = await call("/volumes/prune", { method: "POST" });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ VolumesDeleted: [anonymous.Name], SpaceReclaimed: 0 });
    const all = await call(`/volumes/prune?filters=${filters({ all: ["true"] })}`, { method: "POST" });
    expect(await all.json()).toEqual({ VolumesDeleted: ["named"], SpaceReclaimed: 0 });
  });

  test("before API 1.42, prune removes named volumes too", async () => {
    const { call, create } = await setup("1.41");
    await create({ Name: "named" });
    expect(await (await call("/volumes/prune", { method: "POST" })).json()).toEqual({ VolumesDeleted: ["named"], SpaceReclaimed: 0 });
  });

  test("bad input is a 400 with a docker-style message, and nothing changes", async () => {
    const { call, create, volumes } = await setup();
    const cases: [Response | Promise<Response>, string][] = [
      [create('{"Name": "data"'), "invalid JSON in request body:"],
      [create("[1]"), "request body must be a JSON object"],
      [create({ Name: 7 }), "invalid volume create request: Name must be a string"],
      [create({ Name: "data", Labels: { a: 1 } }), "invalid volume create request: Labels must be an object of string values"],
      [create({ Name: "data", DriverOpts: ["x"] }), "invalid volume create request: DriverOpts must be an object of string values"],
      [create({ Name: "a/b" }), 'create a/b: "a/b" includes invalid characters for a local volume name'],
      [create({ Name: "data", DriverOpts: { colour: "red" } }), 'create data: invalid option: "colour"'],
      [call("/volumes?filters=%7Bnope"), "invalid filter: {nope is not JSON"],
      [call(`/volumes?filters=${filters({ name: "data" })}`), "invalid filter 'name'"],
      [call(`/volumes?filters=${filters({ colour: ["red"] })}`), "invalid filter 'colour'"],
      [call(`/volumes?filters=${filters({ dangling: ["maybe"] })}`), "invalid filter 'dangling=[maybe]'"],
      [call(`/volumes/prune?filters=${filters({ name: ["x"] })}`, { method: "POST" }), "invalid filter 'name'"],
      [call(`/volumes/prune?filters=${filters({ all: ["maybe"] })}`, { method: "POST" }), "invalid filter 'all'"],
    ];
    for (const [pending, message] of cases) {
      const response = await pending;
      expect(response.status).toBe(400);
      expect(response.headers.get("Content-Type")).toBe("application/json");
      expect(((await response.json()) as { message: string }).message).toStartWith(message);
    }
    expect(volumes.list({})).toEqual([]);
  });

  test("a cluster volume spec is refused as not implemented", async () => {
    const { create } = await setup();
    const response = await create({ Name: "data", ClusterVolumeSpec: { Group: "g" } });
    expect(response.status).toBe(501);
  });
});
