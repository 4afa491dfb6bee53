import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { emptyEngine, fixedSystem, noImages, noSwarm } from "../../../test/support/fixtures.ts";
import { silentLogger } from "../../lib/index.ts";
import { NOT_A_MANAGER_MESSAGE, ServiceControl } from "../../manager/index.ts";
import { ClusterStore } from "../../store/index.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import type { Service, Task } from "../../types/index.ts";
import type { SwarmSource } from "../api-env.ts";
import { createApi } from "../app.ts";

const SPEC = { Name: "web", Labels: {}, TaskTemplate: { ContainerSpec: { Image: "busybox:latest", Args: ["sleep", "1000"] } }, Mode: { Replicated: { Replicas: 2 } } };

/** The API over a real ServiceControl on a store of its own (a manager's, minus raft). */
function managerApi() {
  const clock = new FakeClock();
  const store = new ClusterStore({ clock });
  const control = new ServiceControl(store, clock);
  const swarm: SwarmSource = {
    ...noSwarm(),
    services: (filters, options) => control.list(filters, options),
    service: (ref, options) => control.inspect(ref, options),
    createService: (spec, options) => control.create(spec, options),
    updateService: (ref, version, spec, options) => control.update(ref, version, spec, options),
    removeService: (ref) => control.remove(ref),
    tasks: (filters) => control.tasks(filters),
    task: (ref) => control.task(ref),
  };
  const api = createApi({ system: fixedSystem(), images: noImages(), ...emptyEngine(), swarm, logger: silentLogger });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    api.request(`http://shoal${path}`, body === undefined ? { method, headers } : { method, body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers } });
  return { store, call };
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

async function failure(response: Response): Promise<[number, string]> {
  return [response.status, (await json<{ message: string }>(response)).message];
}

const filters = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("service routes", () => {
  test("POST /services/create answers 201 {ID}; the registry auth header is stored, never shown", async () => {
    const { call, store } = managerApi();
    const response = await call("POST", "/v1.51/services/create", SPEC, { "X-Registry-Auth": "eyJ1c2VybmFtZSI6InUifQ" });
    expect(response.status).toBe(201);
    const created = await json<{ ID: string; Warnings?: string[] }>(response);
    expect(Object.keys(created)).toEqual(["ID"]);
    expect(store.view((tx) => tx.get("services", created.ID))!.Spec.TaskTemplate.ContainerSpec?.PullOptions).toEqual({ RegistryAuth: "eyJ1c2VybmFtZSI6InUifQ" });
    const shown = await (await call("GET", `/v1.51/services/${created.ID}`)).text();
    expect(shown).not.toContain("PullOptions");
    expect(shown).not.toContain("eyJ1c2VybmFtZSI6InUifQ");
  });

  test("create refusals: duplicate name 409, negative replicas and bad JSON 400", async () => {
    const { call } = managerApi();
    await call("POST", "/services/create", SPEC);
    expect(await failure(await call("POST", "/services/create", SPEC))).toEqual([409, "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web already exists"]);
    expect(await failure(await call("POST", "/services/create", { ...SPEC, Name: "api", Mode: { Replicated: { Replicas: -1 } } }))).toEqual([
      400,
      "rpc error: code = InvalidArgument desc = Number of replicas must be non-negative",
    ]);
    const bad = await call("POST", "/services/create", undefined);
    expect(bad.status).toBe(400);
  });

  test("GET /services filters (list and legacy set forms) and fills ServiceStatus from API 1.41 when asked", async () => {
    const { call } = managerApi();
    await call("POST", "/services/create", SPEC);
    await call("POST", "/services/create", { ...SPEC, Name: "api", Mode: { Global: {} } });
    const names = async (path: string) => (await json<Service[]>(await call("GET", path))).map((service) => service.Spec.Name).sort();
    expect(await names("/v1.51/services")).toEqual(["api", "web"]);
    expect(await names(`/v1.51/services?filters=${filters({ name: ["we"] })}`)).toEqual(["web"]);
    expect(await names(`/v1.51/services?filters=${filters({ mode: { global: true } })}`)).toEqual(["api"]);
    const withStatus = await json<Service[]>(await call("GET", "/v1.51/services?status=true"));
    expect(withStatus.find((service) => service.Spec.Name === "web")!.ServiceStatus).toEqual({ RunningTasks: 0, DesiredTasks: 2, CompletedTasks: 0 });
    const old = await json<Service[]>(await call("GET", "/v1.40/services?status=true"));
    expect(old.every((service) => service.ServiceStatus === undefined)).toBe(true);
    expect(await failure(await call("GET", "/v1.51/services?status=maybe"))).toEqual([400, "invalid value for status: maybe"]);
    expect(await failure(await call("GET", `/v1.51/services?filters=${filters({ color: ["red"] })}`))).toEqual([400, "invalid filter 'color'"]);
  });

  test("GET /services/{id} by name with insertDefaults; an unknown service is 404", async () => {
    const { call } = managerApi();
    await call("POST", "/services/create", SPEC);
    const service = await json<Service>(await call("GET", "/v1.51/services/web?insertDefaults=true"));
    expect(service.Spec.UpdateConfig).toEqual({ Parallelism: 1, FailureAction: "pause", Monitor: 5e9, MaxFailureRatio: 0, Order: "stop-first" });
    expect(service.Spec.TaskTemplate.ContainerSpec?.StopGracePeriod).toBe(10e9);
    expect((await json<Service>(await call("GET", "/v1.51/services/web"))).Spec.UpdateConfig).toBeUndefined();
    expect(await failure(await call("GET", "/v1.51/services/nope"))).toEqual([404, "service nope not found"]);
  });

  test("POST /services/{id}/update needs the version read; stale is refused; rollback=previous restores", async () => {
    const { call } = managerApi();
    await call("POST", "/services/create", SPEC);
    const read = await json<Service>(await call("GET", "/services/web"));
    expect(await failure(await call("POST", "/services/web/update", SPEC))).toEqual([400, `invalid service version '': strconv.ParseUint: parsing "": invalid syntax`]);
    const scaled = { ...SPEC, Mode: { Replicated: { Replicas: 5 } } };
    const updated = await call("POST", `/services/web/update?version=${read.Version.Index}`, scaled);
    expect([updated.status, await json(updated)]).toEqual([200, {}]);
    expect(await failure(await call("POST", `/services/web/update?version=${read.Version.Index}`, SPEC))).toEqual([409, "rpc error: code = Unknown desc = update out of sequence"]);
    expect(await failure(await call("POST", `/services/web/update?version=1&registryAuthFrom=elsewhere`, SPEC))).toEqual([400, "invalid registryAuthFrom 'elsewhere'"]);
    expect(await failure(await call("POST", "/services/nope/update?version=1", SPEC))).toEqual([404, "service nope not found"]);
    const now = await json<Service>(await call("GET", "/services/web"));
    const rolledBack = await call("POST", `/services/${now.ID}/update?version=${now.Version.Index}&rollback=previous&registryAuthFrom=spec`, now.Spec);
    expect(rolledBack.status).toBe(200);
    const after = await json<Service>(await call("GET", "/services/web"));
    expect(after.Spec.Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(after.PreviousSpec?.Mode).toEqual({ Replicated: { Replicas: 5 } });
    expect(after.UpdateStatus?.State).toBe("rollback_started");
  });

  test("DELETE /services/{id} answers 200 and the service is gone", async () => {
    const { call } = managerApi();
    await call("POST", "/services/create", SPEC);
    const removed = await call("DELETE", "/v1.51/services/web");
    expect([removed.status, await removed.text()]).toEqual([200, ""]);
    expect(await failure(await call("DELETE", "/v1.51/services/web"))).toEqual([404, "service web not found"]);
  });
});

describe("task routes", () => {
  test("GET /tasks filters by service name; GET /tasks/{id} by ID or prefix; unknown ones are 404", async () => {
    const { call, store } = managerApi();
    const { ID } = await json<{ ID: string }>(await call("POST", "/services/create", SPEC));
    const service = await json<Service>(await call("GET", `/services/${ID}`));
    await store.update((tx) => {
      tx.create("tasks", { ...fixtures.task(ID, 1), ID: "taskaaaaaaaaaaaaaaaaaaaa1", Spec: service.Spec.TaskTemplate, ServiceAnnotations: { Name: "web", Labels: {} } });
      tx.create("tasks", { ...fixtures.task("other", 1), ID: "taskbbbbbbbbbbbbbbbbbbbb2" });
    });
    const tasks = await json<Task[]>(await call("GET", `/v1.51/tasks?filters=${filters({ service: ["web"], "_up-to-date": ["true"] })}`));
    expect(tasks.map((task) => task.ID)).toEqual(["taskaaaaaaaaaaaaaaaaaaaa1"]);
    expect((await json<Task>(await call("GET", "/v1.51/tasks/taskb"))).ID).toBe("taskbbbbbbbbbbbbbbbbbbbb2");
    expect(await failure(await call("GET", "/v1.51/tasks/zzz"))).toEqual([404, "task zzz not found"]);
    expect(await failure(await call("GET", `/v1.51/tasks?filters=${filters({ service: ["nope"] })}`))).toEqual([404, "service nope not found"]);
  });
});

describe("outside a manager", () => {
  test("the service and task routes answer 503 with docker's text", async () => {
    const api = createApi({ system: fixedSystem(), images: noImages(), ...emptyEngine(), logger: silentLogger });
    for (const [method, path] of [
      ["GET", "/v1.51/services"],
      ["GET", "/v1.51/services/web"],
      ["POST", "/v1.51/services/create"],
      ["POST", "/v1.51/services/web/update?version=1"],
      ["DELETE", "/v1.51/services/web"],
      ["GET", "/v1.51/tasks"],
      ["GET", "/v1.51/tasks/abc"],
    ] as const) {
      const response = await api.request(`http://shoal${path}`, method === "POST" ? { method, body: JSON.stringify(SPEC), headers: { "Content-Type": "application/json" } } : { method });
      expect(await failure(response)).toEqual([503, NOT_A_MANAGER_MESSAGE]);
    }
  });
});
