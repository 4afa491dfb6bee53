import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { emptyEngine, fixedSystem, noImages, noSwarm } from "../../../test/support/fixtures.ts";
import { silentLogger } from "../../lib/index.ts";
import { ConfigControl, NOT_A_MANAGER_MESSAGE, SecretControl } from "../../manager/index.ts";
import { ClusterStore } from "../../store/index.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import type { Config, Secret } from "../../types/index.ts";
import type { SwarmSource } from "../api-env.ts";
import { createApi } from "../app.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** The API over real secret and config controls on a store of their own (a manager's, minus raft). */
function managerApi() {
  const store = new ClusterStore({ clock: new FakeClock() });
  const secrets = new SecretControl(store);
  const configs = new ConfigControl(store);
  const swarm: SwarmSource = {
    ...noSwarm(),
    secrets: (filters) => secrets.list(filters),
    secret: (ref) => secrets.inspect(ref),
    createSecret: (spec) => secrets.create(spec),
    updateSecret: (ref, version, spec) => secrets.update(ref, version, spec),
    removeSecret: (ref) => secrets.remove(ref),
    configs: (filters) => configs.list(filters),
    config: (ref) => configs.inspect(ref),
    createConfig: (spec) => configs.create(spec),
    updateConfig: (ref, version, spec) => configs.update(ref, version, spec),
    removeConfig: (ref) => configs.remove(ref),
  };
  return { store, call: caller(swarm) };
}

function caller(swarm: SwarmSource) {
  const api = createApi({ system: fixedSystem(), images: noImages(), ...emptyEngine(), swarm, logger: silentLogger });
  return (method: string, path: string, body?: unknown) =>
    api.request(`http://shoal${path}`, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

async function failure(response: Response): Promise<[number, string]> {
  return [response.status, (await json<{ message: string }>(response)).message];
}

const filters = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("secret routes", () => {
  test("POST /secrets/create answers 201 {ID}; inspect and list never carry the data", async () => {
    const { call } = managerApi();
    const response = await call("POST", "/v1.51/secrets/create", { Name: "pw", Labels: { a: "1" }, Data: b64("hunter2") });
    expect(response.status).toBe(201);
    const created = await json<{ ID: string }>(response);
    expect(Object.keys(created)).toEqual(["ID"]);
    const inspected = await call("GET", "/v1.51/secrets/pw");
    expect(inspected.status).toBe(200);
    const text = await inspected.text();
    expect(text).not.toContain(b64("hunter2"));
    expect((JSON.parse(text) as Secret).Spec).toEqual({ Name: "pw", Labels: { a: "1" } });
    const listed = await call("GET", "/v1.51/secrets");
    expect(await listed.text()).not.toContain(b64("hunter2"));
  });

  test("create refusals: taken name 409, bad name and empty body 400, templating before API 1.37", async () => {
    const { call } = managerApi();
    await call("POST", "/secrets/create", { Name: "pw", Data: b64("a") });
    expect(await failure(await call("POST", "/secrets/create", { Name: "pw", Data: b64("a") }))).toEqual([409, "rpc error: code = AlreadyExists desc = secret pw already exists"]);
    expect(await failure(await call("POST", "/secrets/create", { Name: "pw!", Data: b64("a") }))).toEqual([
      400,
      "rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
    ]);
    expect(await failure(await call("POST", "/secrets/create"))).toEqual([400, "rpc error: code = InvalidArgument desc = name must be provided"]);
    const templated = { Name: "tpl", Data: b64("{{.Service.Name}}"), Templating: { Name: "golang" } };
    expect(await failure(await call("POST", "/v1.36/secrets/create", templated))).toEqual([400, "secret templating is not supported on the specified API version: 1.36"]);
    const [status, message] = await failure(await call("POST", "/v1.51/secrets/create", templated));
    expect([status, message]).toEqual([400, expect.stringContaining('secret templating driver "golang" is not supported')]);
  });

  test("GET /secrets takes docker's filters in both forms and refuses unknown ones", async () => {
    const { call } = managerApi();
    await call("POST", "/secrets/create", { Name: "db-pw", Labels: { app: "db" }, Data: b64("1") });
    await call("POST", "/secrets/create", { Name: "web-cert", Data: b64("2") });
    const names = async (query: string) => (await json<Secret[]>(await call("GET", `/v1.51/secrets${query}`))).map((secret) => secret.Spec.Name).sort();
    expect(await names("")).toEqual(["db-pw", "web-cert"]);
    expect(await names(`?filters=${filters({ name: { db: true } })}`)).toEqual(["db-pw"]);
    expect(await names(`?filters=${filters({ names: ["web-cert"] })}`)).toEqual(["web-cert"]);
    expect(await names(`?filters=${filters({ label: ["app=db"] })}`)).toEqual(["db-pw"]);
    expect(await failure(await call("GET", `/secrets?filters=${filters({ driver: ["x"] })}`))).toEqual([400, "invalid filter 'driver'"]);
  });

  test("POST /secrets/{id}/update needs a numeric version, changes labels only (200, no body)", async () => {
    const { call } = managerApi();
    const { ID } = await json<{ ID: string }>(await call("POST", "/secrets/create", { Name: "pw", Data: b64("a") }));
    const version = (await json<Secret>(await call("GET", `/secrets/${ID}`))).Version.Index;
    expect(await failure(await call("POST", `/secrets/${ID}/update?version=x`, { Name: "pw" }))).toEqual([400, "invalid secret version"]);
    expect(await failure(await call("POST", `/secrets/${ID}/update?version=${version}`, { Name: "pw", Data: b64("b") }))).toEqual([
      400,
      "rpc error: code = InvalidArgument desc = only updates to Labels are allowed",
    ]);
    const updated = await call("POST", `/secrets/${ID}/update?version=${version}`, { Name: "pw", Labels: { l: "v" } });
    expect([updated.status, await updated.text()]).toEqual([200, ""]);
    expect((await json<Secret>(await call("GET", `/secrets/${ID}`))).Spec.Labels).toEqual({ l: "v" });
    const [status, message] = await failure(await call("POST", `/secrets/${ID}/update?version=${version}`, { Name: "pw" }));
    expect(message).toBe("rpc error: code = Unknown desc = update out of sequence");
    expect(status).toBeGreaterThanOrEqual(400);
  });

  test("DELETE /secrets/{id}: 204, 400 while a service uses it, 404 once gone", async () => {
    const { call, store } = managerApi();
    const { ID } = await json<{ ID: string }>(await call("POST", "/secrets/create", { Name: "pw", Data: b64("a") }));
    const service = fixtures.service("web");
    service.Spec.TaskTemplate.ContainerSpec!.Secrets = [{ SecretID: ID, SecretName: "pw", File: { Name: "pw", UID: "0", GID: "0", Mode: 0o444 } }];
    const web = await store.update((tx) => tx.create("services", service));
    expect(await failure(await call("DELETE", "/secrets/pw"))).toEqual([400, "rpc error: code = InvalidArgument desc = secret 'pw' is in use by the following service: web"]);
    await store.update((tx) => tx.delete("services", web.ID));
    expect((await call("DELETE", "/secrets/pw")).status).toBe(204);
    expect(await failure(await call("DELETE", "/secrets/pw"))).toEqual([404, "secret pw not found"]);
  });

  test("a node that is not a manager answers 503 with docker's text", async () => {
    const call = caller(noSwarm());
    expect(await failure(await call("GET", "/secrets"))).toEqual([503, NOT_A_MANAGER_MESSAGE]);
    expect(await failure(await call("POST", "/configs/create", { Name: "c", Data: b64("x") }))).toEqual([503, NOT_A_MANAGER_MESSAGE]);
  });
});

describe("config routes", () => {
  test("create 201 {ID}; inspect and list show the data; update and remove as for secrets", async () => {
    const { call } = managerApi();
    const response = await call("POST", "/v1.51/configs/create", { Name: "app.conf", Data: b64("port=80") });
    expect(response.status).toBe(201);
    const { ID } = await json<{ ID: string }>(response);
    const config = await json<Config>(await call("GET", "/configs/app.conf"));
    expect(config.Spec).toEqual({ Name: "app.conf", Labels: {}, Data: b64("port=80") });
    expect((await json<Config[]>(await call("GET", "/configs")))[0]!.Spec.Data).toBe(b64("port=80"));
    expect(await failure(await call("POST", "/configs/create", { Name: "app.conf", Data: b64("x") }))).toEqual([409, "rpc error: code = AlreadyExists desc = config app.conf already exists"]);
    expect(await failure(await call("POST", `/configs/${ID}/update`, { Name: "app.conf" }))).toEqual([400, "invalid config version"]);
    expect((await call("POST", `/configs/${ID}/update?version=${config.Version.Index}`, { Name: "app.conf", Labels: { v: "1" } })).status).toBe(200);
    expect(await failure(await call("GET", `/configs?filters=${filters({ names: ["app.conf"] })}`))).toEqual([400, "invalid filter 'names'"]);
    expect((await call("DELETE", `/configs/${ID}`)).status).toBe(204);
    expect(await failure(await call("GET", `/configs/${ID}`))).toEqual([404, `config ${ID} not found`]);
  });
});
