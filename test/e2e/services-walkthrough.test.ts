/**
 * Walkthrough steps 3 (services), 4 (rolling update), 7 (drain) and 9 (node failure) with the shoal
 * CLI on three namespace hosts running real containers, plus the other service modes (global,
 * replicated-job, global-job), restart policies, placement (constraints, max replicas per node,
 * reservations that fit nowhere) and refused input. Containers are checked with `docker ps` against
 * each host's own daemon. Services use `--init` so that a stop does not wait out the 10 s grace
 * period of a `sleep` that ignores SIGTERM as PID 1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Task } from "../../src/types/index.ts";
import { shoalOk, until } from "../support/host-commands.ts";
import {
  IMAGE_V1,
  IMAGE_V2,
  containerNames,
  createServiceSwarm,
  killHost,
  runningContainerNames,
  runningTasks,
  tasksOf,
  type ServiceSwarm,
} from "../support/service-swarm.ts";

const PS_HEADER = /^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\s+PORTS$/;
const SLEEPER = ["busybox", "sleep", "1000"];

let swarm: ServiceSwarm;

/** `shoal <args>` on manager1; its stdout. */
const shoal = (args: string[]) => shoalOk(swarm.manager1, args);

/** The hostname of the node a task is on. */
const nodeOf = (task: Task) => swarm.hostOf(task.NodeID!).hostname;

/** Waits until `service` has exactly `count` running tasks (and no other task desired running). */
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

/** `UpdateStatus.State UpdateStatus.Message` of `service`. */
async function updateState(service: string): Promise<string> {
  return (await shoal(["service", "inspect", "--format", "{{.UpdateStatus.State}} {{.UpdateStatus.Message}}", service])).trim();
}

/** Removes every service (after a test that made its own), so that the next one starts from none. */
async function removeAllServices(): Promise<void> {
  const ids = (await shoal(["service", "ls", "-q"])).trim().split("\n").filter(Boolean);
  if (ids.length > 0) await shoal(["service", "rm", ...ids]);
}

/** `service ps --no-trunc <service>` rows as [NAME (with its `\_ `), NODE, DESIRED STATE, CURRENT STATE], cut at the header's columns. */
async function psRows(service: string): Promise<string[][]> {
  const [header, ...lines] = (await shoal(["service", "ps", "--no-trunc", service])).trimEnd().split("\n");
  expect(header).toMatch(PS_HEADER);
  const columns = ["NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR"].map((title) => header!.indexOf(title));
  const cell = (line: string, index: number) => line.slice(columns[index], columns[index + 1]).trim();
  return lines.map((line) => [cell(line, 0), cell(line, 2), cell(line, 3), cell(line, 4)]);
}

beforeAll(async () => {
  swarm = await createServiceSwarm("swk", 121);
}, 300_000);

afterAll(async () => {
  await swarm?.teardown();
}, 120_000);

describe("walkthrough step 3: services with the shoal CLI", () => {
  let helloId = "";

  test("service create --detach=false prints the ID, then progress until the service converged", async () => {
    const result = await swarm.manager1.shoal(["service", "create", "--detach=false", "--replicas", "1", "--name", "helloworld", "--init", IMAGE_V1, ...SLEEPER]);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    helloId = lines[0]!;
    expect(helloId).toMatch(/^[0-9a-z]{25}$/);
    expect(lines[1]).toBe("overall progress: 0 out of 1 tasks");
    expect(lines).toContain("overall progress: 1 out of 1 tasks");
    expect(lines.some((line) => /^verify: Waiting [1-6] seconds to verify that tasks are stable\.\.\.$/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe(`verify: Service ${helloId} converged`);
    // The image is not in a registry: docker's warning, on stderr.
    expect(result.stderr).toContain(`image ${IMAGE_V1} could not be accessed on a registry to record\nits digest.`);
  }, 60_000);

  test("service ls shows 1/1; inspect --pretty shows the spec", async () => {
    const [header, row, ...rest] = (await shoal(["service", "ls"])).trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS$/);
    expect(row).toMatch(new RegExp(`^${helloId.slice(0, 12)}\\s+helloworld\\s+replicated\\s+1/1\\s+${IMAGE_V1}\\s*$`));
    expect(rest).toEqual([]);
    const pretty = (await shoal(["service", "inspect", "--pretty", "helloworld"])).split("\n");
    for (const line of [`ID:\t\t${helloId}`, "Name:\t\thelloworld", "Service Mode:\tReplicated", " Replicas:\t1", ` Image:\t\t${IMAGE_V1}`, " Args:\t\tbusybox sleep 1000 ", " Init:\t\ttrue", "Endpoint Mode:\tvip"]) {
      expect(pretty).toContain(line);
    }
  }, 30_000);

  test("service ps shows docker's columns and the task helloworld.1, whose container runs on its node", async () => {
    const lines = (await shoal(["service", "ps", "helloworld"])).trimEnd().split("\n");
    expect(lines[0]).toMatch(PS_HEADER);
    expect(lines).toHaveLength(2);
    const match = /^([0-9a-z]{12})\s+helloworld\.1\s+(\S+)\s+(manager1|worker1|worker2)\s+Running\s+Running (?:less than a second|\d+ seconds?) ago\s*$/.exec(lines[1]!);
    expect(match, lines[1]).not.toBeNull();
    expect(match![2]).toBe(IMAGE_V1);
    const [task] = await runningTasks(swarm.manager1, "helloworld");
    expect(task!.ID.slice(0, 12)).toBe(match![1]!);
    expect(await runningContainerNames(swarm.hostOf(match![3]!))).toContain(`helloworld.1.${task!.ID}`);
  }, 30_000);

  test("service scale helloworld=3: tasks .2 and .3 land on the other nodes", async () => {
    const result = await swarm.manager1.shoal(["service", "scale", "helloworld=3"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("helloworld scaled to 3");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("verify: Service helloworld converged");
    const tasks = await convergedTo("helloworld", 3);
    expect(tasks.map((task) => task.Slot).sort()).toEqual([1, 2, 3]);
    expect(new Set(tasks.map(nodeOf)).size).toBe(3);
    expect((await shoal(["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])).trim()).toBe("helloworld 3/3");
    for (const task of tasks) expect(await runningContainerNames(swarm.hostOf(task.NodeID!))).toContain(`helloworld.${task.Slot}.${task.ID}`);
  }, 60_000);

  test("service rm helloworld: its containers stop and go away on every host", async () => {
    expect((await shoal(["service", "rm", "helloworld"])).trim()).toBe("helloworld");
    expect((await shoal(["service", "ls", "-q"])).trim()).toBe("");
    for (const host of swarm.all) {
      await until(`no helloworld container on ${host.hostname}`, async () => !(await containerNames(host)).some((name) => name.startsWith("helloworld.")), 30_000);
    }
    expect(await tasksOf(swarm.manager1, helloId).catch(() => [])).toEqual([]);
  }, 60_000);
});

describe("walkthrough step 4: rolling update with the shoal CLI", () => {
  afterAll(removeAllServices);

  const UPDATE_DELAY_MS = 3000;

  test("create redis with --update-delay; update --image with --update-parallelism 2: updating, then completed, batches a delay apart", async () => {
    await shoal(["service", "create", "-d", "--replicas", "3", "--name", "redis", "--update-delay", "3s", "--init", IMAGE_V1, ...SLEEPER]);
    const before = await convergedTo("redis", 3);
    expect((await shoal(["service", "update", "-d", "--image", IMAGE_V2, "--update-parallelism", "2", "redis"])).trim()).toBe("redis");
    const states = new Set<string>();
    await until(
      "redis update completed",
      async () => {
        const pretty = await shoal(["service", "inspect", "--pretty", "redis"]);
        const state = /^UpdateStatus:\n State:\t\t(\S+)$/m.exec(pretty)?.[1];
        if (state) states.add(state);
        return state === "completed";
      },
      90_000,
    );
    expect([...states]).toContain("updating");
    const pretty = (await shoal(["service", "inspect", "--pretty", "redis"])).split("\n");
    expect(pretty).toContain(" Message:\tupdate completed");
    expect(pretty.some((line) => /^ Started:\t\d+ seconds? ago$/.test(line))).toBe(true);
    expect(pretty).toContain(" Parallelism:\t2");
    expect(pretty).toContain(" Delay:\t\t3s");

    const after = await convergedTo("redis", 3);
    expect(after.every((task) => task.Spec.ContainerSpec?.Image === IMAGE_V2)).toBe(true);
    // Two slots in the first batch, the third one update-delay later.
    const created = after.map((task) => Date.parse(task.CreatedAt)).sort((a, b) => a - b);
    expect(created[1]! - created[0]!).toBeLessThan(UPDATE_DELAY_MS);
    expect(created[2]! - created[1]!).toBeGreaterThanOrEqual(UPDATE_DELAY_MS - 50);
    // stop-first (the default): each old task stopped before its replacement ran.
    const tasks = await tasksOf(swarm.manager1, "redis");
    for (const old of before) {
      const stopped = tasks.find((task) => task.ID === old.ID)!;
      const replacement = after.find((task) => task.Slot === old.Slot)!;
      expect(stopped.DesiredState).toBe("shutdown");
      expect(Date.parse(stopped.Status.Timestamp)).toBeLessThanOrEqual(Date.parse(replacement.Status.Timestamp));
    }
  }, 120_000);

  test("--update-order start-first: the new task runs before the old one stops; ps shows the replaced tasks under \\_", async () => {
    const before = await convergedTo("redis", 3);
    const result = await swarm.manager1.shoal(["service", "update", "--image", IMAGE_V1, "--update-order", "start-first", "--update-delay", "0s", "--update-parallelism", "1", "--update-monitor", "1s", "redis"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("verify: Service redis converged");
    const after = await convergedTo("redis", 3);
    const tasks = await tasksOf(swarm.manager1, "redis");
    for (const old of before) {
      const stopped = tasks.find((task) => task.ID === old.ID)!;
      const replacement = after.find((task) => task.Slot === old.Slot)!;
      expect(replacement.Spec.ContainerSpec?.Image).toBe(IMAGE_V1);
      expect(Date.parse(stopped.Status.Timestamp)).toBeGreaterThanOrEqual(Date.parse(replacement.Status.Timestamp));
    }
    const rows = await psRows("redis");
    for (const slot of [1, 2, 3]) {
      const slotRows = rows.filter(([name]) => name === `redis.${slot}` || name === `\\_ redis.${slot}`);
      expect(slotRows.map(([name]) => name)).toEqual([`redis.${slot}`, `\\_ redis.${slot}`, `\\_ redis.${slot}`]);
      expect(slotRows[0]!.slice(2)).toEqual(["Running", expect.stringMatching(/^Running /)]);
      for (const row of slotRows.slice(1)) expect(row.slice(2)).toEqual(["Shutdown", expect.stringMatching(/^Shutdown /)]);
    }
  }, 90_000);

  test("a failing update pauses (--update-failure-action pause): UpdateStatus paused with the task's failure", async () => {
    const result = await swarm.manager1.shoal(["service", "update", "--args", "busybox false", "--update-monitor", "2s", "redis"]);
    expect(result.exitCode).toBe(1);
    const match = /^service update paused: update paused due to failure or early termination of task ([0-9a-z]{25})\n$/.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    const pretty = (await shoal(["service", "inspect", "--pretty", "redis"])).split("\n");
    expect(pretty).toContain(" State:\t\tpaused");
    expect(pretty).toContain(` Message:\tupdate paused due to failure or early termination of task ${match![1]}`);
    const failed = (await tasksOf(swarm.manager1, "redis")).find((task) => task.ID === match![1])!;
    expect(failed.Status.State).toBe("failed");
    expect(failed.Status.Err).toBe("task: non-zero exit (1)");
    // Paused after the first batch: the other two slots still run the old spec.
    const sleepers = (await runningTasks(swarm.manager1, "redis")).filter((task) => task.Spec.ContainerSpec?.Args?.join(" ") === SLEEPER.join(" "));
    expect(sleepers.length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  test("service rollback goes back to the previous spec and converges", async () => {
    const result = await swarm.manager1.shoal(["service", "rollback", "redis"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("redis");
    expect(lines).toContain("rollback: manually requested rollback");
    expect(lines).toContain("overall progress: rolling back update: 3 out of 3 tasks");
    expect(lines.at(-1)).toBe("verify: Service redis converged");
    expect((await shoal(["service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Args}}", "redis"])).trim()).toBe('["busybox","sleep","1000"]');
    // The CLI stops following once the tasks converged; the rollback completes after its own monitor period.
    await until("redis rollback completed", async () => (await updateState("redis")) === "rollback_completed rollback completed", 30_000);
    expect((await shoal(["service", "inspect", "--pretty", "redis"])).split("\n")).toContain(" State:\t\trollback_completed");
    const running = await convergedTo("redis", 3);
    expect(running.every((task) => task.Spec.ContainerSpec?.Args?.join(" ") === SLEEPER.join(" "))).toBe(true);
  }, 90_000);

  test("--update-failure-action rollback: a failing update rolls itself back", async () => {
    const result = await swarm.manager1.shoal(["service", "update", "--args", "busybox false", "--update-failure-action", "rollback", "--update-monitor", "2s", "redis"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\nrollback: update rolled back due to failure or early termination of task [0-9a-z]{25}\n/);
    expect((await shoal(["service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Args}}", "redis"])).trim()).toBe('["busybox","sleep","1000"]');
    await until("redis rollback completed", async () => (await updateState("redis")) === "rollback_completed rollback completed", 30_000);
    const running = await convergedTo("redis", 3);
    expect(running.every((task) => task.Spec.ContainerSpec?.Args?.join(" ") === SLEEPER.join(" "))).toBe(true);
  }, 90_000);

  test("task history keeps at most 5 tasks per slot (the retention limit)", async () => {
    await shoal(["service", "create", "-d", "--name", "history", "--init", "--update-monitor", "500ms", IMAGE_V1, ...SLEEPER]);
    const first = (await convergedTo("history", 1))[0]!;
    for (let round = 0; round < 6; round++) {
      const result = await swarm.manager1.shoal(["service", "update", "-q", "--force", "history"]);
      expect(result.exitCode, result.stderr).toBe(0);
    }
    await convergedTo("history", 1);
    await until("history trimmed to 5 tasks", async () => (await tasksOf(swarm.manager1, "history")).length === 5, 30_000);
    const tasks = await tasksOf(swarm.manager1, "history");
    expect(tasks.map((task) => task.ID)).not.toContain(first.ID);
    expect((await psRows("history")).map(([name]) => name)).toEqual(["history.1", ...Array(4).fill("\\_ history.1")]);
  }, 120_000);
});

describe("service modes, restart policies and placement with the shoal CLI", () => {
  afterEach(removeAllServices);

  test("--mode global runs one task per node, named <service>.<node id>.<task id>, and follows drain and active", async () => {
    await shoal(["service", "create", "-d", "--mode", "global", "--name", "agent", "--init", IMAGE_V1, ...SLEEPER]);
    const tasks = await convergedTo("agent", 3);
    expect(tasks.map(nodeOf).sort()).toEqual(["manager1", "worker1", "worker2"]);
    for (const task of tasks) expect(await runningContainerNames(swarm.hostOf(task.NodeID!))).toContain(`agent.${task.NodeID}.${task.ID}`);
    expect((await shoal(["service", "ls", "--filter", "name=agent", "--format", "{{.Mode}} {{.Replicas}}"])).trim()).toBe("global 3/3");
    await shoal(["node", "update", "--availability", "drain", "worker2"]);
    expect((await convergedTo("agent", 2)).map(nodeOf).sort()).toEqual(["manager1", "worker1"]);
    await until("no agent container running on worker2", async () => !(await runningContainerNames(swarm.worker2)).some((name) => name.startsWith("agent.")), 30_000);
    await shoal(["node", "update", "--availability", "active", "worker2"]);
    expect((await convergedTo("agent", 3)).map(nodeOf).sort()).toEqual(["manager1", "worker1", "worker2"]);
  }, 90_000);

  test("--mode replicated-job runs to completion, --max-concurrent at a time; --mode global-job once per node", async () => {
    await shoal(["service", "create", "-d", "--mode", "replicated-job", "--replicas", "4", "--max-concurrent", "2", "--name", "batch", IMAGE_V1, "busybox", "sh", "-c", "busybox sleep 1; echo done"]);
    await shoal(["service", "create", "-d", "--mode", "global-job", "--name", "everywhere", IMAGE_V1, "busybox", "echo", "hi"]);
    await until("batch: 4 tasks complete", async () => (await tasksOf(swarm.manager1, "batch")).filter((task) => task.Status.State === "complete").length === 4, 60_000);
    await until("everywhere: 3 tasks complete", async () => (await tasksOf(swarm.manager1, "everywhere")).filter((task) => task.Status.State === "complete").length === 3, 60_000);
    const batch = await tasksOf(swarm.manager1, "batch");
    expect(batch.map((task) => `${task.Slot} ${task.Status.State} ${task.Status.Err ?? ""}`.trim()).sort()).toEqual(["1 complete", "2 complete", "3 complete", "4 complete"]);
    expect(batch.map((task) => task.Slot).sort()).toEqual([1, 2, 3, 4]);
    // --max-concurrent 2: when a task was made, at most one other was still unfinished.
    for (const task of batch) {
      const made = Date.parse(task.CreatedAt);
      const unfinished = batch.filter((other) => Date.parse(other.CreatedAt) <= made && Date.parse(other.Status.Timestamp) > made);
      expect(unfinished.length).toBeLessThanOrEqual(2);
    }
    const everywhere = await tasksOf(swarm.manager1, "everywhere");
    expect(everywhere.map(nodeOf).sort()).toEqual(["manager1", "worker1", "worker2"]);
    const rows = (await shoal(["service", "ls", "--format", "{{.Name}} {{.Mode}} {{.Replicas}}"])).trim().split("\n").sort();
    expect(rows).toContainEqual(expect.stringMatching(/^batch replicated job \d+\/\d+ \(4\/4 completed\)$/));
    expect(rows).toContainEqual(expect.stringMatching(/^everywhere global job \d+\/\d+ \(3\/3 completed\)$/));
    // Finished jobs are not started again.
    await Bun.sleep(2000);
    expect(await tasksOf(swarm.manager1, "batch")).toHaveLength(4);
    expect(await tasksOf(swarm.manager1, "everywhere")).toHaveLength(3);
  }, 90_000);

  test("--restart-condition on-failure --restart-max-attempts 2: a failing task runs three times, a succeeding one once", async () => {
    await shoal(["service", "create", "-d", "--name", "crashy", "--restart-condition", "on-failure", "--restart-max-attempts", "2", "--restart-delay", "200ms", IMAGE_V1, "busybox", "sh", "-c", "exit 3"]);
    await shoal(["service", "create", "-d", "--name", "oneshot", "--restart-condition", "on-failure", "--restart-delay", "200ms", IMAGE_V1, "busybox", "true"]);
    await until("crashy failed three times", async () => (await tasksOf(swarm.manager1, "crashy")).filter((task) => task.Status.State === "failed").length === 3, 60_000);
    await until("oneshot complete", async () => (await tasksOf(swarm.manager1, "oneshot")).some((task) => task.Status.State === "complete"), 60_000);
    await Bun.sleep(2000);
    const crashy = await tasksOf(swarm.manager1, "crashy");
    expect(crashy.map((task) => [task.Slot, task.Status.State, task.Status.Err])).toEqual(Array(3).fill([1, "failed", "task: non-zero exit (3)"]));
    expect((await tasksOf(swarm.manager1, "oneshot")).map((task) => task.Status.State)).toEqual(["complete"]);
    const rows = await psRows("crashy");
    expect(rows.map(([name]) => name)).toEqual(["crashy.1", "\\_ crashy.1", "\\_ crashy.1"]);
  }, 90_000);

  test("placement constraints on node.role, node.hostname and node.labels; --replicas-max-per-node", async () => {
    expect((await shoal(["node", "update", "--label-add", "zone=b", "worker2"])).trim()).toBe("worker2");
    await shoal(["service", "create", "-d", "--name", "on-workers", "--replicas", "4", "--constraint", "node.role==worker", "--init", IMAGE_V1, ...SLEEPER]);
    await shoal(["service", "create", "-d", "--name", "on-worker1", "--replicas", "2", "--constraint", "node.hostname==worker1", "--init", IMAGE_V1, ...SLEEPER]);
    await shoal(["service", "create", "-d", "--name", "in-zone-b", "--replicas", "2", "--constraint", "node.labels.zone==b", "--constraint", "node.role!=manager", "--init", IMAGE_V1, ...SLEEPER]);
    await shoal(["service", "create", "-d", "--name", "one-each", "--replicas", "4", "--replicas-max-per-node", "1", "--init", IMAGE_V1, ...SLEEPER]);
    expect(new Set((await convergedTo("on-workers", 4)).map(nodeOf))).toEqual(new Set(["worker1", "worker2"]));
    expect((await convergedTo("on-worker1", 2)).map(nodeOf)).toEqual(["worker1", "worker1"]);
    expect((await convergedTo("in-zone-b", 2)).map(nodeOf)).toEqual(["worker2", "worker2"]);
    await until("one-each: 3 running", async () => (await runningTasks(swarm.manager1, "one-each")).length === 3, 60_000);
    expect((await runningTasks(swarm.manager1, "one-each")).map(nodeOf).sort()).toEqual(["manager1", "worker1", "worker2"]);
    const pending = (await tasksOf(swarm.manager1, "one-each")).filter((task) => task.Status.State === "pending");
    expect(pending).toHaveLength(1);
    expect((await psRows("one-each")).find((row) => row[3]!.startsWith("Pending"))).toBeDefined();
    const errors = (await shoal(["service", "ps", "--no-trunc", "--format", "{{.Name}} {{.Error}}", "one-each"])).trim().split("\n");
    expect(errors).toContain(`one-each.${pending[0]!.Slot} "no suitable node (max replicas per node limit exceed)"`);
    expect((await shoal(["service", "ls", "--filter", "name=one-each", "--format", "{{.Replicas}}"])).trim()).toBe("3/4 (max 1 per node)");
    // Raising the limit lets the fourth task run.
    await shoal(["service", "update", "-d", "--replicas-max-per-node", "2", "one-each"]);
    await convergedTo("one-each", 4);
  }, 120_000);

  test("reservations that fit nowhere leave the task pending with the reason in ps ERROR; an update that fits runs it", async () => {
    await shoal(["service", "create", "-d", "--name", "huge", "--reserve-memory", "100T", "--init", IMAGE_V1, ...SLEEPER]);
    await until("huge pending with a reason", async () => (await tasksOf(swarm.manager1, "huge")).some((task) => task.Status.State === "pending" && Boolean(task.Status.Err)), 30_000);
    expect((await shoal(["service", "ps", "--no-trunc", "--format", "{{.Name}}|{{.Node}}|{{.CurrentState}}|{{.Error}}", "huge"])).trim()).toMatch(
      /^huge\.1\|\|Pending .+ ago\|"no suitable node \(insufficient resources on 3 nodes\)"$/,
    );
    expect((await shoal(["service", "ps", "huge"])).split("\n")[1]).toContain('"no suitable node (insufficien…"');
    await shoal(["service", "update", "-d", "--reserve-memory", "8M", "huge"]);
    await convergedTo("huge", 1);
  }, 90_000);
});

describe("refused input with the shoal CLI", () => {
  afterEach(removeAllServices);

  test("unknown flags, invalid constraints, negative replicas and a taken name are refused; nothing changes", async () => {
    await shoal(["service", "create", "-d", "--name", "keep", "--replicas", "2", "--init", IMAGE_V1, ...SLEEPER]);
    await convergedTo("keep", 2);
    const before = (await shoal(["service", "inspect", "--format", "{{.Version.Index}}", "keep"])).trim();

    const unknown = await swarm.manager1.shoal(["service", "create", "--bogus", "x", IMAGE_V1]);
    expect([unknown.exitCode, unknown.stderr.split("\n")[0]]).toEqual([125, "error: unknown option '--bogus'"]);
    const unknownUpdate = await swarm.manager1.shoal(["service", "update", "--replica", "3", "keep"]);
    expect(unknownUpdate.exitCode).toBe(125);
    expect(unknownUpdate.stderr.split("\n")[0]).toStartWith("error: unknown option '--replica'");
    const constraint = await swarm.manager1.shoal(["service", "create", "-d", "--name", "bad", "--constraint", "node.role=manager", IMAGE_V1]);
    expect([constraint.exitCode, constraint.stderr.trim()]).toEqual([1, "Error response from daemon: rpc error: code = Unknown desc = constraint expected one operator from ==, !="]);
    const constraintAdd = await swarm.manager1.shoal(["service", "update", "-d", "--constraint-add", "node.labels.zone", "keep"]);
    expect([constraintAdd.exitCode, constraintAdd.stderr.trim()]).toEqual([1, "Error response from daemon: rpc error: code = Unknown desc = constraint expected one operator from ==, !="]);
    const negative = await swarm.manager1.shoal(["service", "create", "-d", "--name", "neg", "--replicas", "-1", IMAGE_V1]);
    expect([negative.exitCode, negative.stderr.split("\n")[0]]).toEqual([125, 'invalid argument "-1" for "--replicas" flag: strconv.ParseUint: parsing "-1": invalid syntax']);
    const negativeScale = await swarm.manager1.shoal(["service", "scale", "keep=-1"]);
    expect([negativeScale.exitCode, negativeScale.stderr.trim()]).toEqual([1, 'keep: invalid replicas value -1: strconv.ParseUint: parsing "-1": invalid syntax']);
    const taken = await swarm.manager1.shoal(["service", "create", "-d", "--name", "keep", IMAGE_V1]);
    expect([taken.exitCode, taken.stderr.trim()]).toEqual([1, "Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service keep already exists"]);
    const mode = await swarm.manager1.shoal(["service", "create", "-d", "--mode", "everywhere", IMAGE_V1]);
    expect([mode.exitCode, mode.stderr.trim()]).toEqual([1, "unknown mode: everywhere, only replicated and global supported"]);

    expect((await shoal(["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])).trim()).toBe("keep 2/2");
    expect((await shoal(["service", "inspect", "--format", "{{.Version.Index}}", "keep"])).trim()).toBe(before);
  }, 60_000);
});

describe("walkthrough steps 7 and 9: drain, pause, node failure with the shoal CLI", () => {
  test("7. drain a worker: its task moves elsewhere; pause keeps running tasks but takes no new ones; active again", async () => {
    await shoal(["service", "create", "-d", "--name", "spread", "--replicas", "3", "--init", IMAGE_V1, ...SLEEPER]);
    const initial = await convergedTo("spread", 3);
    expect(initial.map(nodeOf).sort()).toEqual(["manager1", "worker1", "worker2"]);
    const onWorker2 = initial.find((task) => nodeOf(task) === "worker2")!;

    expect((await shoal(["node", "update", "--availability", "drain", "worker2"])).trim()).toBe("worker2");
    expect((await shoal(["node", "inspect", "--pretty", "worker2"])).split("\n").some((line) => /^ Availability:\s+Drain$/.test(line))).toBe(true);
    const drained = await convergedTo("spread", 3);
    expect(drained.map(nodeOf)).not.toContain("worker2");
    const replacement = drained.find((task) => task.Slot === onWorker2.Slot)!;
    expect(replacement.ID).not.toBe(onWorker2.ID);
    await until("worker2 runs no spread container", async () => !(await runningContainerNames(swarm.worker2)).some((name) => name.startsWith("spread.")), 30_000);
    const slotRows = (await psRows("spread")).filter(([name]) => name!.endsWith(`spread.${onWorker2.Slot}`));
    expect(slotRows.map(([name, node, desired]) => [name, node, desired])).toEqual([
      [`spread.${onWorker2.Slot}`, nodeOf(replacement), "Running"],
      [`\\_ spread.${onWorker2.Slot}`, "worker2", "Shutdown"],
    ]);

    const onWorker1 = drained.filter((task) => nodeOf(task) === "worker1").map((task) => task.ID);
    expect((await shoal(["node", "update", "--availability", "pause", "worker1"])).trim()).toBe("worker1");
    await shoal(["service", "scale", "-d", "spread=5"]);
    const paused = await convergedTo("spread", 5);
    const added = paused.filter((task) => !drained.some((old) => old.ID === task.ID));
    expect(added.map(nodeOf)).toEqual(["manager1", "manager1"]);
    for (const id of onWorker1) expect(paused.map((task) => task.ID)).toContain(id);

    await shoal(["node", "update", "--availability", "active", "worker1"]);
    await shoal(["node", "update", "--availability", "active", "worker2"]);
    expect((await shoal(["node", "ls", "--format", "{{.Hostname}} {{.Availability}}"])).trim().split("\n").sort()).toEqual(["manager1 Active", "worker1 Active", "worker2 Active"]);
    await shoal(["service", "scale", "-d", "spread=8"]);
    const active = await convergedTo("spread", 8);
    const spreadOut = active.filter((task) => !paused.some((old) => old.ID === task.ID)).map(nodeOf);
    expect(spreadOut).toHaveLength(3);
    expect(spreadOut).not.toContain("manager1");
    expect(spreadOut).toContain("worker2");
  }, 120_000);

  test("9. kill a worker (daemon, conmon and containers): Down, and its tasks start again on the others", async () => {
    const before = await convergedTo("spread", 8);
    const lost = before.filter((task) => nodeOf(task) === "worker1");
    expect(lost.length).toBeGreaterThan(0);
    const killed = await killHost(swarm.worker1);
    const started = Date.now();
    await until("worker1 Down", async () => (await shoal(["node", "inspect", "--format", "{{.Status.State}}", "worker1"])).trim() === "down", 60_000);
    const downAfter = Date.now() - started;
    const after = await convergedTo("spread", 8, 90_000);
    const backAfter = Date.now() - started;
    console.log(`walkthrough step 9 (shoal CLI): worker1 killed (${killed} processes: daemon, conmon, containers) → Down after ${downAfter} ms, spread back at 8/8 after ${backAfter} ms`);
    expect(after.map(nodeOf)).not.toContain("worker1");
    for (const task of lost) {
      const replacement = after.find((candidate) => candidate.Slot === task.Slot)!;
      expect(replacement.ID).not.toBe(task.ID);
    }
    expect((await shoal(["node", "ls", "--format", "{{.Hostname}} {{.Status}}"])).trim().split("\n").sort()).toEqual(["manager1 Ready", "worker1 Down", "worker2 Ready"]);
    expect((await shoal(["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])).trim()).toBe("spread 8/8");
    const rows = await psRows("spread");
    for (const task of lost) expect(rows).toContainEqual([`\\_ spread.${task.Slot}`, "worker1", "Shutdown", expect.stringMatching(/^Running /)]);
  }, 120_000);
});
