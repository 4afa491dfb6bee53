/**
 * Walkthrough steps 3, 4, 7 and 9 with the real docker CLI (and the same API through dockerode)
 * against shoal daemons on three namespace hosts running real containers; plus a global service
 * following a node that joins, `docker service logs` gathered from several hosts, `docker events`
 * for services, a secret mounted into a task, an image that exists nowhere, and refused input.
 * Services use `--init` so that a stop does not wait out a `sleep`'s 10 s grace period.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Docker from "dockerode";
import type { Task } from "../../src/types/index.ts";
import { dockerOk, until } from "../support/host-commands.ts";
import type { TestHost } from "../support/hosts.ts";
import {
  IMAGE_V1,
  IMAGE_V2,
  MISSING_IMAGE,
  containerNames,
  createServiceSwarm,
  killHost,
  runningContainerNames,
  runningTasks,
  tasksOf,
  type ServiceSwarm,
} from "../support/service-swarm.ts";

const SLEEPER = ["busybox", "sleep", "1000"];
const PS_HEADER = /^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\s+PORTS$/;

let swarm: ServiceSwarm;

/** `docker <args>` on manager1; its trimmed stdout. */
const docker = (args: string[]) => dockerOk(swarm.manager1, args);

const nodeOf = (task: Task) => swarm.hostOf(task.NodeID!).hostname;

/** Waits until `service` has exactly `count` running tasks and no other task desired running. */
async function convergedTo(service: string, count: number, timeoutMs = 60_000): Promise<Task[]> {
  let running: Task[] = [];
  await until(
    `${service} at ${count}/${count}`,
    async () => {
      const tasks = await tasksOf(swarm.manager1, service);
      running = tasks.filter((task) => task.DesiredState === "running" && task.Status.State === "running");
      return running.length === count && tasks.filter((task) => task.DesiredState === "running").length === count;
    },
    timeoutMs,
  );
  return running;
}

async function removeAllServices(): Promise<void> {
  const ids = (await docker(["service", "ls", "-q"])).split("\n").filter(Boolean);
  if (ids.length > 0) await docker(["service", "rm", ...ids]);
}

/** A long-running command on `host` (`docker … -f`): its output so far, and a way to interrupt it as ^C does. */
function follow(host: TestHost, args: string[]) {
  const child = Bun.spawn(["nsenter", `--net=/run/netns/${host.netns}`, "docker", ...args], {
    env: { ...process.env, DOCKER_HOST: `unix://${host.socket}`, DOCKER_CONFIG: `${host.dataRoot}/../docker-config` },
    stdout: "pipe",
    stderr: "pipe",
  });
  let stdout = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) stdout += decoder.decode(chunk, { stream: true });
  })();
  return {
    output: () => stdout,
    /** SIGINT (^C), then how it ended: its exit code, or "still running" after `graceMs`. */
    async interrupt(graceMs = 5000): Promise<number | "still running"> {
      child.kill("SIGINT");
      const ended = await Promise.race([child.exited, Bun.sleep(graceMs).then(() => "still running" as const)]);
      if (ended === "still running") child.kill("SIGKILL");
      await reading;
      return ended;
    },
  };
}

beforeAll(async () => {
  // worker2 joins in the first test, under a global service.
  swarm = await createServiceSwarm("swk2", 122, { joined: ["worker1"] });
}, 300_000);

afterAll(async () => {
  await swarm?.teardown();
}, 120_000);

describe("docker service: a global service follows the nodes", () => {
  test("docker service create --mode global: one task per node, and one more when worker2 joins; drain and active", async () => {
    await docker(["service", "create", "-d", "--mode", "global", "--name", "agent", "--init", IMAGE_V1, ...SLEEPER]);
    expect((await convergedTo("agent", 2)).map(nodeOf).sort()).toEqual(["manager1", "worker1"]);
    await swarm.join(swarm.worker2);
    const tasks = await convergedTo("agent", 3);
    expect(tasks.map(nodeOf).sort()).toEqual(["manager1", "worker1", "worker2"]);
    const onWorker2 = tasks.find((task) => nodeOf(task) === "worker2")!;
    expect(await runningContainerNames(swarm.worker2)).toContain(`agent.${onWorker2.NodeID}.${onWorker2.ID}`);
    expect(await docker(["service", "ls", "--format", "{{.Name}} {{.Mode}} {{.Replicas}}"])).toBe("agent global 3/3");
    expect(await docker(["node", "update", "--availability", "drain", "worker2"])).toBe("worker2");
    expect((await convergedTo("agent", 2)).map(nodeOf).sort()).toEqual(["manager1", "worker1"]);
    await until("worker2 runs no agent container", async () => (await runningContainerNames(swarm.worker2)).length === 0, 30_000);
    await docker(["node", "update", "--availability", "active", "worker2"]);
    expect((await convergedTo("agent", 3)).map(nodeOf).sort()).toEqual(["manager1", "worker1", "worker2"]);
    await removeAllServices();
  }, 90_000);
});

describe("walkthrough step 3 with the docker CLI", () => {
  let helloId = "";

  test("docker service create --detach=false prints the ID and follows the service until it converged", async () => {
    const result = await swarm.manager1.docker(["service", "create", "--detach=false", "--replicas", "1", "--name", "helloworld", "--init", IMAGE_V1, ...SLEEPER]);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    helloId = lines[0]!;
    expect(helloId).toMatch(/^[0-9a-z]{25}$/);
    expect(lines).toContain("overall progress: 1 out of 1 tasks");
    expect(lines.at(-1)).toBe(`verify: Service ${helloId} converged`);
  }, 60_000);

  test("docker service ls, inspect --pretty and ps", async () => {
    const [header, row] = (await docker(["service", "ls"])).split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS$/);
    expect(row).toMatch(new RegExp(`^${helloId.slice(0, 12)}\\s+helloworld\\s+replicated\\s+1/1\\s+${IMAGE_V1}\\s*$`));
    const pretty = (await docker(["service", "inspect", "--pretty", "helloworld"])).split("\n");
    for (const line of [`ID:\t\t${helloId}`, "Name:\t\thelloworld", "Service Mode:\tReplicated", " Replicas:\t1", ` Image:\t\t${IMAGE_V1}`, " Args:\t\tbusybox sleep 1000 ", " Init:\t\ttrue"]) {
      expect(pretty).toContain(line);
    }
    const [psHeader, psRow, ...rest] = (await docker(["service", "ps", "helloworld"])).split("\n");
    expect(psHeader).toMatch(PS_HEADER);
    expect(rest).toEqual([]);
    const [task] = await runningTasks(swarm.manager1, "helloworld");
    expect(psRow).toMatch(new RegExp(`^${task!.ID.slice(0, 12)}\\s+helloworld\\.1\\s+${IMAGE_V1}\\s+${nodeOf(task!)}\\s+Running\\s+Running .+ ago\\s*$`));
  }, 30_000);

  test("docker service scale helloworld=3: .2 and .3 land on the other nodes; docker service rm: the containers go on every host", async () => {
    const result = await swarm.manager1.docker(["service", "scale", "helloworld=3"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("helloworld scaled to 3");
    const tasks = await convergedTo("helloworld", 3);
    expect(new Set(tasks.map(nodeOf)).size).toBe(3);
    for (const task of tasks) expect(await runningContainerNames(swarm.hostOf(task.NodeID!))).toContain(`helloworld.${task.Slot}.${task.ID}`);
    expect(await docker(["service", "rm", "helloworld"])).toBe("helloworld");
    for (const host of swarm.all) {
      await until(`no helloworld container on ${host.hostname}`, async () => !(await containerNames(host)).some((name) => name.startsWith("helloworld.")), 30_000);
    }
    expect(await docker(["service", "ls", "-q"])).toBe("");
  }, 60_000);
});

describe("walkthrough step 4 with the docker CLI", () => {
  test("docker service update --image, start-first, parallelism 2: completed; ps shows the replaced tasks under \\_", async () => {
    await docker(["service", "create", "-d", "--replicas", "3", "--name", "redis", "--update-delay", "1s", "--init", IMAGE_V1, ...SLEEPER]);
    const before = await convergedTo("redis", 3);
    const result = await swarm.manager1.docker(["service", "update", "--image", IMAGE_V2, "--update-parallelism", "2", "--update-order", "start-first", "--update-monitor", "1s", "redis"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("verify: Service redis converged");
    const pretty = (await docker(["service", "inspect", "--pretty", "redis"])).split("\n");
    expect(pretty).toContain(" State:\t\tcompleted");
    expect(pretty).toContain(" Message:\tupdate completed");
    expect(pretty).toContain(" Update order:      start-first");
    const after = await convergedTo("redis", 3);
    const tasks = await tasksOf(swarm.manager1, "redis");
    for (const old of before) {
      const replacement = after.find((task) => task.Slot === old.Slot)!;
      expect(replacement.Spec.ContainerSpec?.Image).toBe(IMAGE_V2);
      // start-first: the old task stopped only once its replacement ran.
      expect(Date.parse(tasks.find((task) => task.ID === old.ID)!.Status.Timestamp)).toBeGreaterThanOrEqual(Date.parse(replacement.Status.Timestamp));
    }
    const rows = (await docker(["service", "ps", "redis"])).split("\n").slice(1);
    for (const slot of [1, 2, 3]) {
      const slotRows = rows.filter((row) => new RegExp(`\\sredis\\.${slot}\\s`).test(row));
      expect(slotRows).toHaveLength(2);
      expect(slotRows[0]).toMatch(new RegExp(`^\\w{12}\\s+redis\\.${slot}\\s+${IMAGE_V2}\\s+\\S+\\s+Running\\s+Running`));
      expect(slotRows[1]).toMatch(new RegExp(`^\\w{12}\\s+\\\\_ redis\\.${slot}\\s+${IMAGE_V1}\\s+\\S+\\s+Shutdown\\s+Shutdown`));
    }
  }, 90_000);

  test("a failing update pauses; docker service rollback restores the previous spec", async () => {
    const paused = await swarm.manager1.docker(["service", "update", "--args", "busybox false", "--update-monitor", "2s", "redis"]);
    expect(paused.exitCode).toBe(1);
    expect(paused.stderr).toMatch(/^service update paused: update paused due to failure or early termination of task [0-9a-z]{25}\n$/);
    expect(await docker(["service", "inspect", "--format", "{{.UpdateStatus.State}}", "redis"])).toBe("paused");
    const rollback = await swarm.manager1.docker(["service", "rollback", "redis"]);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain("rollback: manually requested rollback");
    expect(rollback.stdout.trimEnd().split("\n").at(-1)).toBe("verify: Service redis converged");
    expect(await docker(["service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Args}} {{.Spec.TaskTemplate.ContainerSpec.Image}}", "redis"])).toBe(
      `["busybox","sleep","1000"] ${IMAGE_V2}`,
    );
    await until("rollback completed", async () => (await docker(["service", "inspect", "--format", "{{.UpdateStatus.State}}", "redis"])) === "rollback_completed", 30_000);
    await convergedTo("redis", 3);
  }, 90_000);

  test("--update-failure-action rollback: the failing update is rolled back by itself", async () => {
    const result = await swarm.manager1.docker(["service", "update", "--args", "busybox false", "--update-failure-action", "rollback", "--update-monitor", "2s", "redis"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("\noverall progress: rolling back update: 3 out of 3 tasks\n");
    expect(await docker(["service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Args}}", "redis"])).toBe('["busybox","sleep","1000"]');
    await until("rollback completed", async () => (await docker(["service", "inspect", "--format", "{{.UpdateStatus.State}}", "redis"])) === "rollback_completed", 30_000);
    const running = await convergedTo("redis", 3);
    expect(running.every((task) => task.Spec.ContainerSpec?.Args?.join(" ") === SLEEPER.join(" "))).toBe(true);
    await removeAllServices();
  }, 90_000);
});

describe("docker service logs, docker events, secrets, a missing image", () => {
  test("docker service logs: lines of tasks on several hosts with name.slot.id@node prefixes; --tail; -f ends on ^C", async () => {
    await docker(["service", "create", "-d", "--name", "talker", "--replicas", "3", "--init", IMAGE_V1, "busybox", "sh", "-c", 'i=0; while true; do i=$((i+1)); echo "line $i"; busybox sleep 0.5; done']);
    const tasks = await convergedTo("talker", 3);
    const prefix = /^talker\.([1-3])\.([0-9a-z]{12})@(manager1|worker1|worker2)\s*\| line (\d+)$/;
    let lines: string[] = [];
    await until(
      "two lines from each task",
      async () => {
        lines = (await docker(["service", "logs", "talker"])).split("\n");
        return tasks.every((task) => lines.filter((line) => line.includes(`@${nodeOf(task)}`)).length >= 2);
      },
      30_000,
    );
    for (const line of lines) {
      const match = prefix.exec(line);
      expect(match, line).not.toBeNull();
      const task = tasks.find((candidate) => candidate.Slot === Number(match![1]))!;
      expect([match![2], match![3]]).toEqual([task.ID.slice(0, 12), nodeOf(task)]);
    }
    expect(new Set(lines.map((line) => prefix.exec(line)![3])).size).toBe(3);

    const tail = (await docker(["service", "logs", "--tail", "1", "talker"])).split("\n");
    expect(tail).toHaveLength(3);
    expect(new Set(tail.map((line) => prefix.exec(line)?.[1]))).toEqual(new Set(["1", "2", "3"]));

    const followed = follow(swarm.manager1, ["service", "logs", "-f", "--tail", "0", "talker"]);
    await until("new lines while following", async () => new Set(followed.output().split("\n").filter(Boolean).map((line) => prefix.exec(line)?.[3])).size === 3, 30_000);
    expect(await followed.interrupt()).not.toBe("still running");
    await removeAllServices();
  }, 90_000);

  test("docker events --filter type=service shows create, update and remove", async () => {
    const events = follow(swarm.manager1, ["events", "--filter", "type=service", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}"]);
    await Bun.sleep(500);
    await docker(["service", "create", "-d", "--name", "observed", "--init", IMAGE_V1, ...SLEEPER]);
    await docker(["service", "update", "-d", "--env-add", "A=1", "observed"]);
    await docker(["service", "rm", "observed"]);
    await until("remove event", async () => events.output().includes("service remove observed"), 15_000);
    await events.interrupt();
    const seen = events.output().trim().split("\n");
    expect(seen[0]).toBe("service create observed");
    expect(seen).toContain("service update observed");
    expect(seen.at(-1)).toBe("service remove observed");
    expect(seen.every((line) => line.startsWith("service "))).toBe(true);
  }, 60_000);

  test("a secret is mounted in the task's container at /run/secrets, with its target and mode, on the host that runs it", async () => {
    const secretId = (await swarm.manager1.docker(["secret", "create", "db-pass", "-"], { stdin: "s3cr3t-value" })).stdout.trim();
    expect(secretId).toMatch(/^[0-9a-z]{25}$/);
    await docker(["service", "create", "-d", "--name", "vault", "--secret", "db-pass", "--secret", "source=db-pass,target=copy,mode=0400", "--init", IMAGE_V1, ...SLEEPER]);
    const [task] = await convergedTo("vault", 1);
    const host = swarm.hostOf(task!.NodeID!);
    const container = `vault.1.${task!.ID}`;
    expect(await dockerOk(host, ["exec", container, "busybox", "cat", "/run/secrets/db-pass"])).toBe("s3cr3t-value");
    expect(await dockerOk(host, ["exec", container, "busybox", "cat", "/run/secrets/copy"])).toBe("s3cr3t-value");
    const modes = await dockerOk(host, ["exec", container, "busybox", "stat", "-c", "%n %a", "/run/secrets/db-pass", "/run/secrets/copy"]);
    expect(modes.split("\n")).toEqual(["/run/secrets/db-pass 444", "/run/secrets/copy 400"]);
    const mounts = await dockerOk(host, ["exec", container, "busybox", "grep", "/run/secrets/", "/proc/mounts"]);
    for (const line of mounts.split("\n")) expect(line).toMatch(/^\S+ \/run\/secrets\/\S+ tmpfs ro,/);
    // In use: the secret cannot go; once the service is gone it can.
    const inUse = await swarm.manager1.docker(["secret", "rm", "db-pass"]);
    expect(inUse.exitCode).toBe(1);
    expect(inUse.stderr).toContain("is in use by the following service: vault");
    await removeAllServices();
    expect(await docker(["secret", "rm", "db-pass"])).toBe("db-pass");
  }, 60_000);

  test("an image that exists nowhere: the task is rejected with a clear error, and an update to a good image recovers", async () => {
    await docker(["service", "create", "-d", "--name", "ghost", "--init", MISSING_IMAGE, ...SLEEPER]);
    let rejected: Task | undefined;
    await until(
      "ghost task rejected",
      async () => Boolean((rejected = (await tasksOf(swarm.manager1, "ghost")).find((task) => task.Status.State === "rejected"))),
      60_000,
    );
    expect(rejected!.Status.Err).toStartWith(`No such image: ${MISSING_IMAGE}`);
    const errors = (await docker(["service", "ps", "--no-trunc", "--format", "{{.CurrentState}}|{{.Error}}", "ghost"])).split("\n");
    expect(errors.some((line) => line.startsWith("Rejected ") && line.includes(`|"No such image: ${MISSING_IMAGE}`))).toBe(true);
    const result = await swarm.manager1.docker(["service", "update", "--image", IMAGE_V1, "--update-monitor", "1s", "ghost"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const [task] = await convergedTo("ghost", 1);
    expect(task!.Spec.ContainerSpec?.Image).toBe(IMAGE_V1);
    await removeAllServices();
  }, 120_000);
});

describe("refused input with the docker CLI", () => {
  test("unknown flags, invalid constraints, negative replicas and a taken name are refused; nothing changes", async () => {
    await docker(["service", "create", "-d", "--name", "keep", "--replicas", "2", "--init", IMAGE_V1, ...SLEEPER]);
    await convergedTo("keep", 2);
    const version = await docker(["service", "inspect", "--format", "{{.Version.Index}}", "keep"]);
    const unknown = await swarm.manager1.docker(["service", "create", "--bogus", "x", IMAGE_V1]);
    expect([unknown.exitCode, unknown.stderr.split("\n")[0]]).toEqual([125, "unknown flag: --bogus"]);
    const constraint = await swarm.manager1.docker(["service", "update", "-d", "--constraint-add", "node.labels.zone", "keep"]);
    expect([constraint.exitCode, constraint.stderr.trim()]).toEqual([1, "Error response from daemon: rpc error: code = Unknown desc = constraint expected one operator from ==, !="]);
    const negative = await swarm.manager1.docker(["service", "scale", "keep=-2"]);
    expect([negative.exitCode, negative.stderr.trim()]).toEqual([1, 'keep: invalid replicas value -2: strconv.ParseUint: parsing "-2": invalid syntax']);
    const taken = await swarm.manager1.docker(["service", "create", "-d", "--name", "keep", IMAGE_V1]);
    expect([taken.exitCode, taken.stderr.trim()]).toEqual([1, "Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service keep already exists"]);
    expect(await docker(["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])).toBe("keep 2/2");
    expect(await docker(["service", "inspect", "--format", "{{.Version.Index}}", "keep"])).toBe(version);
    await removeAllServices();
  }, 60_000);
});

describe("the same API through dockerode", () => {
  test("createService, listServices, inspect, update with the version, listTasks, logs, remove; listNodes", async () => {
    const client = new Docker({ socketPath: swarm.manager1.socket });
    const created = await client.createService({
      Name: "from-node",
      TaskTemplate: { ContainerSpec: { Image: IMAGE_V1, Args: ["busybox", "sh", "-c", "echo hello from $(busybox hostname); busybox sleep 1000"], Init: true } },
      Mode: { Replicated: { Replicas: 2 } },
    });
    expect(created.id).toMatch(/^[0-9a-z]{25}$/);
    const listed = await client.listServices({ filters: JSON.stringify({ name: ["from-node"] }) });
    expect(listed.map((service) => service.Spec?.Name)).toEqual(["from-node"]);
    await convergedTo("from-node", 2);

    const service = client.getService(created.id);
    const info = await service.inspect();
    await service.update({ version: info.Version.Index, ...info.Spec, Mode: { Replicated: { Replicas: 3 } } });
    expect((await service.inspect()).Spec.Mode.Replicated.Replicas).toBe(3);
    await convergedTo("from-node", 3);
    const tasks = await client.listTasks({ filters: JSON.stringify({ service: ["from-node"], "desired-state": ["running"] }) });
    expect(tasks).toHaveLength(3);
    expect(new Set(tasks.map((task) => task.NodeID)).size).toBe(3);

    const stale = await service.update({ version: info.Version.Index, ...info.Spec }).then(
      () => "accepted",
      (error: { statusCode?: number; json?: { message?: string } }) => `${error.statusCode} ${error.json?.message}`,
    );
    expect(stale).toBe("409 rpc error: code = Unknown desc = update out of sequence");

    // The raw stream (no prefix: the docker CLI makes it from the details): each task's line, with its labels.
    let logs: string[] = [];
    await until(
      "hello from each task",
      async () => {
        const raw = ((await service.logs({ stdout: true, stderr: true, details: true })) as unknown as Buffer).toString("latin1");
        logs = raw.split("\n").filter((line) => line.includes("hello from"));
        return logs.length === 3;
      },
      30_000,
    );
    for (const task of tasks) {
      const line = logs.find((candidate) => candidate.includes(`com.docker.swarm.task.id=${task.ID}`));
      expect(line, logs.join("\n")).toBeDefined();
      expect(line).toContain(`com.docker.swarm.node.id=${task.NodeID}`);
      expect(line).toContain(`com.docker.swarm.service.id=${created.id}`);
    }
    const nodes = await client.listNodes();
    expect(nodes.map((node) => node.Description?.Hostname).sort()).toEqual(["manager1", "worker1", "worker2"]);
    await service.remove();
    expect(await client.listServices()).toEqual([]);
    for (const host of swarm.all) {
      await until(`no from-node container on ${host.hostname}`, async () => !(await containerNames(host)).some((name) => name.startsWith("from-node.")), 30_000);
    }
  }, 90_000);
});

describe("walkthrough steps 7 and 9 with the docker CLI", () => {
  test("7. docker node update --availability drain moves a worker's tasks; pause takes no new ones; active again", async () => {
    await docker(["service", "create", "-d", "--name", "web", "--replicas", "3", "--init", IMAGE_V1, ...SLEEPER]);
    const initial = await convergedTo("web", 3);
    expect(initial.map(nodeOf).sort()).toEqual(["manager1", "worker1", "worker2"]);
    expect(await docker(["node", "update", "--availability", "drain", "worker1"])).toBe("worker1");
    expect((await docker(["node", "inspect", "--pretty", "worker1"])).split("\n").some((line) => /^ Availability:\s+Drain$/.test(line))).toBe(true);
    const drained = await convergedTo("web", 3);
    expect(drained.map(nodeOf)).not.toContain("worker1");
    await until("worker1 runs no web container", async () => !(await runningContainerNames(swarm.worker1)).some((name) => name.startsWith("web.")), 30_000);
    const psLines = (await docker(["service", "ps", "web"])).split("\n");
    expect(psLines.some((line) => /\\_ web\.\d\s+\S+\s+worker1\s+Shutdown\s+Shutdown/.test(line))).toBe(true);

    await docker(["node", "update", "--availability", "pause", "worker2"]);
    await docker(["service", "scale", "-d", "web=5"]);
    const paused = await convergedTo("web", 5);
    expect(paused.filter((task) => !drained.some((old) => old.ID === task.ID)).map(nodeOf)).toEqual(["manager1", "manager1"]);
    for (const task of drained) expect(paused.map((running) => running.ID)).toContain(task.ID);

    await docker(["node", "update", "--availability", "active", "worker1"]);
    await docker(["node", "update", "--availability", "active", "worker2"]);
    await docker(["service", "scale", "-d", "web=8"]);
    const active = await convergedTo("web", 8);
    const added = active.filter((task) => !paused.some((old) => old.ID === task.ID)).map(nodeOf);
    expect(added).not.toContain("manager1");
    expect(added).toContain("worker1");
  }, 120_000);

  test("9. a killed worker is Down in docker node ls and its tasks run again on the others", async () => {
    const before = await convergedTo("web", 8);
    const lost = before.filter((task) => nodeOf(task) === "worker2");
    expect(lost.length).toBeGreaterThan(0);
    await killHost(swarm.worker2);
    const started = Date.now();
    await until("worker2 Down", async () => (await docker(["node", "ls", "--filter", "name=worker2", "--format", "{{.Status}}"])) === "Down", 60_000);
    const downAfter = Date.now() - started;
    let after: Task[] = [];
    await until("web at 8/8 without worker2", async () => (after = await convergedTo("web", 8, 1000)).every((task) => nodeOf(task) !== "worker2"), 90_000);
    console.log(`walkthrough step 9 (docker CLI): worker2 killed → Down after ${downAfter} ms, web back at 8/8 after ${Date.now() - started} ms`);
    for (const task of lost) expect(after.find((candidate) => candidate.Slot === task.Slot)!.ID).not.toBe(task.ID);
    expect(await docker(["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])).toBe("web 8/8");
  }, 120_000);
});
