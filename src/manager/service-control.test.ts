import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { ShoalError } from "../lib/index.ts";
import { ClusterStore } from "../store/index.ts";
import * as fixtures from "../store/store-fixtures.ts";
import type { Service, Task } from "../types/index.ts";
import { MANUAL_ROLLBACK_MESSAGE, MODE_CHANGE_MESSAGE, RENAME_MESSAGE, ServiceControl } from "./service-control.ts";

/** A body as `docker service create --name NAME busybox sleep 1000` sends it. */
function body(name: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: name,
    Labels: {},
    TaskTemplate: { ContainerSpec: { Image: "busybox:latest", Args: ["sleep", "1000"], ...container }, ForceUpdate: 0 },
    Mode: { Replicated: { Replicas: 2 } },
    ...extra,
  };
}

function setup() {
  const clock = new FakeClock();
  const store = new ClusterStore({ clock });
  const control = new ServiceControl(store, clock);
  return { clock, store, control };
}

/** What `fn` throws, as `code: message`. */
async function refusal(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ShoalError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("expected a refusal");
}

/** A task of `service` running its current template (an orchestrator's task), with `overrides`. */
function taskOf(service: Service, slot: number, overrides: Partial<Task> = {}): ReturnType<typeof fixtures.task> {
  return { ...fixtures.task(service.ID, slot), Spec: service.Spec.TaskTemplate, ServiceAnnotations: { Name: service.Spec.Name, Labels: service.Spec.Labels }, ...overrides };
}

describe("ServiceControl.create", () => {
  test("stores the spec as moby converts it and answers its ID", async () => {
    const { store, control, clock } = setup();
    const { ID } = await control.create(body("web"));
    const service = control.inspect("web");
    expect(service.ID).toBe(ID);
    expect(service.Spec).toEqual({
      Name: "web",
      Labels: {},
      TaskTemplate: { ContainerSpec: { Image: "busybox:latest", Args: ["sleep", "1000"] }, ForceUpdate: 0, Runtime: "container" },
      Mode: { Replicated: { Replicas: 2 } },
    });
    expect(service.Endpoint).toEqual({ Spec: {} });
    expect(service.CreatedAt).toBe(new Date(clock.now()).toISOString());
    expect(service.Version.Index).toBe(store.index);
    expect(service.PreviousSpec).toBeUndefined();
  });

  test("a taken name is refused with SwarmKit's text; an empty one gets a random name", async () => {
    const { control } = setup();
    await control.create(body("web"));
    expect(await refusal(() => control.create(body("WEB")))).toBe(
      "name_conflict: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service WEB already exists",
    );
    const { ID } = await control.create(body(""));
    expect(control.inspect(ID).Spec.Name).toMatch(/^[a-z]+_[a-z]+\d?$/);
  });

  test("invalid specs are refused before anything is stored", async () => {
    const { control, store } = setup();
    expect(await refusal(() => control.create(body("web", { Mode: { Replicated: { Replicas: -1 } } })))).toBe(
      "invalid_argument: rpc error: code = InvalidArgument desc = Number of replicas must be non-negative",
    );
    expect(await refusal(() => control.create(body("web", {}, { Image: "" })))).toBe("invalid_argument: rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided");
    expect(await refusal(() => control.create(body("web", { TaskTemplate: { ContainerSpec: { Image: "busybox" }, Placement: { Constraints: ["node.role=manager"] } } })))).toBe(
      "invalid_argument: rpc error: code = Unknown desc = constraint expected one operator from ==, !=",
    );
    expect(store.index).toBe(0);
  });

  test("secrets and configs must exist under the names given; networks are stored by ID", async () => {
    const { control, store } = setup();
    const [secret, network] = await store.update((tx) => [tx.create("secrets", fixtures.secret("pw", "x")), tx.create("networks", fixtures.network("backend"))]);
    const file = { Name: "pw", UID: "0", GID: "0", Mode: 0o444 };
    expect(await refusal(() => control.create(body("web", {}, { Secrets: [{ SecretID: "nope", SecretName: "other", File: file }] })))).toBe(
      "invalid_argument: rpc error: code = InvalidArgument desc = secret not found: other",
    );
    expect(await refusal(() => control.create(body("web", {}, { Configs: [{ ConfigID: "a", ConfigName: "a", File: file }, { ConfigID: "b", ConfigName: "b", File: { ...file, Name: "b" } }] })))).toBe(
      "invalid_argument: rpc error: code = InvalidArgument desc = configs not found: a, b",
    );
    const withNetwork = (target: string) => body("web", { TaskTemplate: { ContainerSpec: { Image: "busybox", Secrets: [{ SecretID: secret!.ID, SecretName: "pw", File: file }] }, Networks: [{ Target: target }] } });
    expect(await refusal(() => control.create(withNetwork("frontend")))).toBe("not_found: network frontend not found");
    await control.create(withNetwork("backend"));
    expect(control.inspect("web").Spec.TaskTemplate.Networks).toEqual([{ Target: network!.ID }]);
  });

  test("a published port another service holds is refused with SwarmKit's text", async () => {
    const { control } = setup();
    const ports = (published: number, mode = "ingress") => ({ EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: published, PublishMode: mode }] } });
    const { ID } = await control.create(body("x", ports(8080)));
    expect(await refusal(() => control.create(body("y", ports(8080))))).toBe(
      `invalid_argument: rpc error: code = InvalidArgument desc = port '8080' is already in use by service 'x' (${ID}) as an ingress port`,
    );
    expect(await refusal(() => control.create(body("y", ports(8080, "host"))))).toBe(
      `invalid_argument: rpc error: code = InvalidArgument desc = port '8080' is already in use by service 'x' (${ID}) as an ingress port`,
    );
    await control.create(body("h1", ports(9090, "host")));
    await control.create(body("h2", ports(9090, "host")));
    expect(await refusal(() => control.create(body("i", ports(9090))))).toContain("as a host-published port");
    await control.create(body("y", ports(8081)));
  });

  test("X-Registry-Auth is kept for the agents and never shown", async () => {
    const { control, store } = setup();
    const { ID } = await control.create(body("web"), { registryAuth: "eyJ1c2VybmFtZSI6ImEifQ" });
    const stored = store.view((tx) => tx.get("services", ID))!;
    expect(stored.Spec.TaskTemplate.ContainerSpec?.PullOptions).toEqual({ RegistryAuth: "eyJ1c2VybmFtZSI6ImEifQ" });
    expect(control.inspect(ID).Spec.TaskTemplate.ContainerSpec).not.toHaveProperty("PullOptions");
    expect(control.inspect(ID, { insertDefaults: true }).Spec.TaskTemplate.ContainerSpec).not.toHaveProperty("PullOptions");
    expect(control.list({})[0]!.Spec.TaskTemplate.ContainerSpec).not.toHaveProperty("PullOptions");
    await store.update((tx) => tx.create("tasks", taskOf(stored, 1)));
    expect(control.tasks({})[0]!.Spec.ContainerSpec).toEqual({ Image: "busybox:latest", Args: ["sleep", "1000"] });
    expect(JSON.stringify(control.task(control.tasks({})[0]!.ID))).not.toContain("RegistryAuth");
  });
});

describe("ServiceControl.inspect", () => {
  test("finds a service by ID, name or unique ID prefix, with docker's texts otherwise", async () => {
    const { control } = setup();
    const { ID } = await control.create(body("web"));
    expect(control.inspect(ID).ID).toBe(ID);
    expect(control.inspect(ID.slice(0, 5)).ID).toBe(ID);
    expect(await refusal(() => control.inspect("nope"))).toBe("not_found: service nope not found");
  });

  test("insertDefaults fills SwarmKit's defaults where the spec has none", async () => {
    const { control } = setup();
    await control.create(body("web", { UpdateConfig: { Parallelism: 3, Monitor: 0 }, TaskTemplate: { ContainerSpec: { Image: "busybox" }, RestartPolicy: { Condition: "on-failure" } } }));
    const spec = control.inspect("web", { insertDefaults: true }).Spec;
    expect(spec.TaskTemplate).toEqual({
      ContainerSpec: { Image: "busybox", StopGracePeriod: 10e9, DNSConfig: {} },
      Resources: {},
      RestartPolicy: { Condition: "on-failure", Delay: 5e9, MaxAttempts: 0 },
      Placement: {},
      ForceUpdate: 0,
      Runtime: "container",
    });
    expect(spec.UpdateConfig).toEqual({ Parallelism: 3, FailureAction: "pause", Monitor: 5e9, MaxFailureRatio: 0, Order: "stop-first" });
    expect(spec.RollbackConfig).toEqual({ Parallelism: 1, FailureAction: "pause", Monitor: 5e9, MaxFailureRatio: 0, Order: "stop-first" });
    expect(control.inspect("web").Spec.UpdateConfig).toEqual({ Parallelism: 3, FailureAction: "pause", MaxFailureRatio: 0, Order: "stop-first" });
  });
});

describe("ServiceControl.update", () => {
  test("replaces the spec, keeps the old one as PreviousSpec and clears UpdateStatus", async () => {
    const { control, store } = setup();
    const { ID } = await control.create(body("web"));
    await store.update((tx) => tx.update("services", { ...tx.get("services", ID)!, UpdateStatus: { State: "completed" } }));
    const before = control.inspect(ID);
    await control.update("web", before.Version.Index, body("web", { Mode: { Replicated: { Replicas: 5 } } }, { Image: "busybox:1.36" }));
    const after = control.inspect(ID);
    expect(after.Spec.Mode).toEqual({ Replicated: { Replicas: 5 } });
    expect(after.Spec.TaskTemplate.ContainerSpec?.Image).toBe("busybox:1.36");
    expect(after.PreviousSpec).toEqual(before.Spec);
    expect(after.UpdateStatus).toBeUndefined();
    expect(after.Version.Index).toBeGreaterThan(before.Version.Index);
  });

  test("a status write since the client read the spec (the updater's progress) is no conflict; a spec change is", async () => {
    const { control, store } = setup();
    const { ID } = await control.create(body("web"));
    const read = control.inspect("web").Version.Index;
    await store.update((tx) => tx.update("services", { ...tx.get("services", ID)!, UpdateStatus: { State: "updating", Message: "update in progress" } }));
    expect(control.inspect("web").Version.Index).toBeGreaterThan(read);
    await control.update("web", read, body("web", { Mode: { Replicated: { Replicas: 3 } } }));
    expect(control.inspect("web").Spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(await refusal(() => control.update("web", read, body("web", { Mode: { Replicated: { Replicas: 4 } } })))).toBe(
      "sequence_conflict: rpc error: code = Unknown desc = update out of sequence",
    );
  });

  test("a stale version is refused: update out of sequence", async () => {
    const { control } = setup();
    await control.create(body("web"));
    const read = control.inspect("web").Version.Index;
    await control.update("web", read, body("web", { Mode: { Replicated: { Replicas: 3 } } }));
    expect(await refusal(() => control.update("web", read, body("web", { Mode: { Replicated: { Replicas: 4 } } })))).toBe(
      "sequence_conflict: rpc error: code = Unknown desc = update out of sequence",
    );
    expect(control.inspect("web").Spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
  });

  test("a missing service, a mode change and a rename are refused with docker's texts", async () => {
    const { control } = setup();
    await control.create(body("web"));
    const version = control.inspect("web").Version.Index;
    expect(await refusal(() => control.update("nope", 1, body("nope")))).toBe("not_found: service nope not found");
    expect(await refusal(() => control.update("web", version, body("web", { Mode: { Global: {} } })))).toBe(`unimplemented: ${MODE_CHANGE_MESSAGE}`);
    expect(await refusal(() => control.update("web", version, body("api")))).toBe(`unimplemented: ${RENAME_MESSAGE}`);
    expect(await refusal(() => control.update("web", version, body("web"), { rollback: "later" }))).toBe("invalid_argument: unrecognized rollback option later");
  });

  test("rollback restores PreviousSpec, swaps the two and marks a rollback started", async () => {
    const { control, clock } = setup();
    const { ID } = await control.create(body("web"));
    expect(await refusal(() => control.update(ID, control.inspect(ID).Version.Index, body("web"), { rollback: "previous" }))).toBe(
      `failed_precondition: rpc error: code = FailedPrecondition desc = service ${ID} does not have a previous spec`,
    );
    const first = control.inspect(ID).Spec;
    await control.update(ID, control.inspect(ID).Version.Index, body("web", {}, { Image: "busybox:1.36" }));
    const second = control.inspect(ID).Spec;
    clock.advance(1000);
    // The body is checked, then ignored: the CLI sends the current spec.
    await control.update(ID, control.inspect(ID).Version.Index, body("web", {}, { Image: "ignored:1" }), { rollback: "previous" });
    const rolledBack = control.inspect(ID);
    expect(rolledBack.Spec).toEqual(first);
    expect(rolledBack.PreviousSpec).toEqual(second);
    expect(rolledBack.UpdateStatus).toEqual({ State: "rollback_started", StartedAt: new Date(clock.now()).toISOString(), Message: MANUAL_ROLLBACK_MESSAGE });
    await control.update(ID, rolledBack.Version.Index, body("web", {}, { Image: "busybox:1.37" }));
    expect(control.inspect(ID).UpdateStatus).toBeUndefined();
  });

  test("registry credentials: a new X-Registry-Auth replaces them, none keeps the spec's (or the previous spec's)", async () => {
    const { control, store } = setup();
    const { ID } = await control.create(body("web"), { registryAuth: "first" });
    const auth = () => store.view((tx) => tx.get("services", ID))!.Spec.TaskTemplate.ContainerSpec?.PullOptions?.RegistryAuth;
    const version = () => control.inspect(ID).Version.Index;
    await control.update(ID, version(), body("web", {}, { Image: "busybox:2" }));
    expect(auth()).toBe("first");
    await control.update(ID, version(), body("web", {}, { Image: "busybox:3" }), { registryAuth: "second" });
    expect(auth()).toBe("second");
    await control.update(ID, version(), body("web", {}, { Image: "busybox:4" }), { registryAuthFrom: "previous-spec" });
    expect(auth()).toBe("first");
  });

  test("updating a job starts its next iteration", async () => {
    const { control, clock } = setup();
    const { ID } = await control.create(body("job", { Mode: { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 4 } } }));
    expect(control.inspect(ID).JobStatus).toEqual({ JobIteration: { Index: 0 }, LastExecution: new Date(clock.now()).toISOString() });
    clock.advance(5000);
    await control.update(ID, control.inspect(ID).Version.Index, body("job", { Mode: { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 4 } } }));
    expect(control.inspect(ID).JobStatus).toEqual({ JobIteration: { Index: 1 }, LastExecution: new Date(clock.now()).toISOString() });
  });

  test("a port change checks conflicts against the other services only", async () => {
    const { control } = setup();
    const ports = (published: number) => ({ EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: published }] } });
    const { ID: x } = await control.create(body("x", ports(8080)));
    await control.create(body("y", ports(8081)));
    await control.update("x", control.inspect("x").Version.Index, body("x", ports(8080)));
    expect(await refusal(() => control.update("y", control.inspect("y").Version.Index, body("y", ports(8080))))).toBe(
      `invalid_argument: rpc error: code = InvalidArgument desc = port '8080' is already in use by service 'x' (${x}) as an ingress port`,
    );
  });
});

describe("ServiceControl.remove", () => {
  test("deletes the service and marks its tasks for removal in the same transaction", async () => {
    const { control, store } = setup();
    const { ID } = await control.create(body("web"));
    const { ID: other } = await control.create(body("api"));
    const web = control.inspect(ID);
    await store.update((tx) => {
      tx.create("tasks", taskOf(web, 1, { ID: "t1" }));
      tx.create("tasks", taskOf(web, 2, { ID: "t2", DesiredState: "shutdown" }));
      tx.create("tasks", taskOf(web, 3, { ID: "t3", DesiredState: "orphaned" }));
      tx.create("tasks", taskOf(control.inspect(other), 1, { ID: "t4" }));
    });
    const indexBefore = store.index;
    await control.remove("web");
    expect(store.index).toBe(indexBefore + 1);
    expect(await refusal(() => control.inspect(ID))).toBe(`not_found: service ${ID} not found`);
    const desired = store.view((tx) => tx.find("tasks").map((task) => `${task.ID}:${task.DesiredState}`));
    expect(desired).toEqual(["t1:remove", "t2:remove", "t3:orphaned", "t4:running"]);
    expect(await refusal(() => control.remove("web"))).toBe("not_found: service web not found");
  });
});

describe("ServiceControl.list", () => {
  test("filters by id and name prefix, label, mode; unknown filters are refused", async () => {
    const { control } = setup();
    const { ID: web } = await control.create(body("web", { Labels: { tier: "front", app: "shop" } }));
    await control.create(body("webhook", { Labels: { tier: "back" } }));
    await control.create(body("agent", { Mode: { Global: {} } }));
    const names = (filters: Record<string, string[]>) => control.list(filters).map((service) => service.Spec.Name).sort();
    expect(names({})).toEqual(["agent", "web", "webhook"]);
    expect(names({ name: ["web"] })).toEqual(["web", "webhook"]);
    expect(names({ id: [web.slice(0, 8)] })).toEqual(["web"]);
    expect(names({ label: ["tier"] })).toEqual(["web", "webhook"]);
    expect(names({ label: ["tier=front", "app"] })).toEqual(["web"]);
    expect(names({ mode: ["global"] })).toEqual(["agent"]);
    expect(names({ mode: ["replicated", "global"] })).toEqual(["agent", "web", "webhook"]);
    expect(names({ runtime: ["container"] })).toEqual(["agent", "web", "webhook"]);
    expect(await refusal(() => control.list({ color: ["red"] }))).toBe("invalid_argument: invalid filter 'color'");
    expect(control.list({})[0]!.ServiceStatus).toBeUndefined();
  });

  test("status counts running tasks on live nodes and desired tasks as SwarmKit does", async () => {
    const { control, store } = setup();
    const { ID: web } = await control.create(body("web", { Mode: { Replicated: { Replicas: 3 } } }));
    const { ID: agent } = await control.create(body("agent", { Mode: { Global: {} } }));
    const { ID: job } = await control.create(body("job", { Mode: { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 4 } } }));
    const [up, down] = await store.update((tx) => [tx.create("nodes", fixtures.node("n1")), tx.create("nodes", { ...fixtures.node("n2"), Status: { State: "down" } })]);
    const running = (service: string, slot: number, nodeId: string, extra: Partial<Task> = {}) =>
      taskOf(control.inspect(service), slot, { NodeID: nodeId, Status: { Timestamp: "2026-11-25T12:00:00.000Z", State: "running", Message: "started" }, ...extra });
    await store.update((tx) => {
      tx.create("tasks", running(web, 1, up!.ID));
      tx.create("tasks", running(web, 2, up!.ID));
      tx.create("tasks", running(web, 3, down!.ID));
      tx.create("tasks", taskOf(control.inspect(web), 3, { ID: "pending" }));
      tx.create("tasks", running(agent, 0, up!.ID, { Slot: undefined }));
      tx.create("tasks", running(agent, 0, down!.ID, { Slot: undefined, DesiredState: "shutdown" }));
      tx.create("tasks", running(job, 1, up!.ID, { JobIteration: { Index: 0 } }));
      tx.create("tasks", running(job, 2, up!.ID, { JobIteration: { Index: 0 }, Status: { Timestamp: "2026-11-25T12:00:00.000Z", State: "complete", Message: "finished" } }));
      tx.create("tasks", running(job, 3, up!.ID, { JobIteration: { Index: 7 } }));
    });
    const status = Object.fromEntries(control.list({}, { status: true }).map((service) => [service.Spec.Name, service.ServiceStatus]));
    expect(status).toEqual({
      web: { RunningTasks: 2, DesiredTasks: 3, CompletedTasks: 0 },
      agent: { RunningTasks: 1, DesiredTasks: 1, CompletedTasks: 0 },
      job: { RunningTasks: 1, DesiredTasks: 2, CompletedTasks: 1 },
    });
  });
});

describe("ServiceControl.tasks", () => {
  async function withTasks() {
    const { control, store } = setup();
    const { ID: webId } = await control.create(body("web", { Labels: { tier: "front" } }));
    const { ID: apiId } = await control.create(body("api"));
    const [n1] = await store.update((tx) => [tx.create("nodes", fixtures.node("node-one")), tx.create("nodes", fixtures.node("node-two"))]);
    const web = control.inspect(webId);
    await store.update((tx) => {
      tx.create("tasks", taskOf(web, 1, { ID: "task1aaaaaaaaaaaaaaaaaaaaa", NodeID: n1!.ID }));
      tx.create("tasks", taskOf(web, 2, { ID: "task2aaaaaaaaaaaaaaaaaaaaa", DesiredState: "shutdown" }));
      tx.create("tasks", taskOf(control.inspect(apiId), 1, { ID: "task3aaaaaaaaaaaaaaaaaaaaa", NodeID: n1!.ID }));
    });
    return { control, store, webId, n1: n1! };
  }
  const ids = (tasks: Task[]) => tasks.map((task) => task.ID.slice(0, 5));

  test("service and node filters take names, IDs or prefixes; unknown ones are not found", async () => {
    const { control, webId, n1 } = await withTasks();
    expect(ids(control.tasks({ service: ["web"] }))).toEqual(["task1", "task2"]);
    expect(ids(control.tasks({ service: [webId] }))).toEqual(["task1", "task2"]);
    expect(ids(control.tasks({ service: ["web", "api"] }))).toEqual(["task1", "task2", "task3"]);
    expect(ids(control.tasks({ node: ["node-one"] }))).toEqual(["task1", "task3"]);
    expect(ids(control.tasks({ node: [n1.ID] }))).toEqual(["task1", "task3"]);
    expect(await refusal(() => control.tasks({ service: ["nope"] }))).toBe("not_found: service nope not found");
    expect(await refusal(() => control.tasks({ node: ["nope"] }))).toBe("not_found: node nope not found");
  });

  test("desired-state, name and id prefixes, service labels; bad values are refused", async () => {
    const { control } = await withTasks();
    expect(ids(control.tasks({ "desired-state": ["running"] }))).toEqual(["task1", "task3"]);
    expect(ids(control.tasks({ "desired-state": ["Shutdown", "accepted"] }))).toEqual(["task2"]);
    expect(ids(control.tasks({ name: ["web.1"] }))).toEqual(["task1"]);
    expect(ids(control.tasks({ id: ["task3"] }))).toEqual(["task3"]);
    expect(ids(control.tasks({ label: ["tier=front"] }))).toEqual(["task1", "task2"]);
    expect(await refusal(() => control.tasks({ "desired-state": ["sleeping"] }))).toBe("invalid_argument: Invalid desired-state filter: 'sleeping'");
    expect(await refusal(() => control.tasks({ slot: ["1"] }))).toBe("invalid_argument: invalid filter 'slot'");
  });

  test("_up-to-date keeps the tasks that run their service's current spec", async () => {
    const { control, webId } = await withTasks();
    expect(ids(control.tasks({ service: [webId], "_up-to-date": ["true"] }))).toEqual(["task1", "task2"]);
    await control.update(webId, control.inspect(webId).Version.Index, body("web", { Labels: { tier: "front" }, Mode: { Replicated: { Replicas: 4 } } }));
    // A new replica count leaves the task template as it was: the tasks stay up to date.
    expect(ids(control.tasks({ service: [webId], "_up-to-date": ["true"] }))).toEqual(["task1", "task2"]);
    await control.update(webId, control.inspect(webId).Version.Index, body("web", { Labels: { tier: "front" } }, { Image: "busybox:1.36" }));
    expect(control.tasks({ service: [webId], "_up-to-date": ["true"] })).toEqual([]);
  });

  test("task finds one by ID, name or unique ID prefix", async () => {
    const { control } = await withTasks();
    expect(control.task("task1aaaaaaaaaaaaaaaaaaaaa").Slot).toBe(1);
    expect(control.task("web.2.task2aaaaaaaaaaaaaaaaaaaaa").ID).toBe("task2aaaaaaaaaaaaaaaaaaaaa");
    expect(control.task("task3").ID).toBe("task3aaaaaaaaaaaaaaaaaaaaa");
    expect(await refusal(() => control.task("task"))).toBe("invalid_argument: task task is ambiguous (3 matches found)");
    expect(await refusal(() => control.task("zzz"))).toBe("not_found: task zzz not found");
  });
});
