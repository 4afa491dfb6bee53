/**
 * Raft members as separate processes, over mutual TLS on loopback, with LMDB on disk: kill -9 the
 * leader, restart members, cut one off with nftables in its own namespace. Committed data
 * survives and the cluster serves whenever a majority is up.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { createTestHosts, type TestHosts } from "../support/hosts.ts";
import { freePort, RaftProcessCluster } from "../support/raft-process-cluster.ts";
import { runOk } from "../support/run.ts";

let cluster: RaftProcessCluster | undefined;
let hosts: TestHosts | undefined;
let dir: string | undefined;
afterEach(async () => {
  await cluster?.stop();
  await hosts?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
  cluster = hosts = dir = undefined;
});

function loopback(ids: string[]) {
  return ids.map((id) => ({ id, address: `127.0.0.1:${freePort()}` }));
}

/** Writes keys one after another; returns those acknowledged. */
async function writeKeys(prefix: string, count: number): Promise<Map<string, string>> {
  const acknowledged = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    await cluster!.put(`${prefix}${i}`, `value-${prefix}${i}`);
    acknowledged.set(`${prefix}${i}`, `value-${prefix}${i}`);
  }
  return acknowledged;
}

async function expectAllPresent(acknowledged: Map<string, string>): Promise<void> {
  for (const [key, value] of acknowledged) expect(await cluster!.get(key)).toBe(value);
}

async function waitForApplied(ids: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(ids.map((id) => cluster!.status(id)));
    const applied = statuses.map((status) => status?.applied ?? -1);
    if (applied.every((value) => value === applied[0] && value > 0)) return;
    if (Date.now() > deadline) throw new Error(`members did not converge: applied ${applied.join(", ")}`);
    await Bun.sleep(50);
  }
}

describe("raft members as processes", () => {
  test("3 members: kill -9 the leader under writes; a new leader serves and no acknowledged write is lost", async () => {
    dir = mkdtempSync("/tmp/shoal-raftproc-");
    cluster = await RaftProcessCluster.start(dir, loopback(["m1", "m2", "m3"]));
    const leader = await cluster.waitForLeader();
    const acknowledged = await writeKeys("before-", 50);

    // Keep writing while the leader dies.
    const writing = (async () => {
      const during = new Map<string, string>();
      for (let i = 0; i < 40; i++) {
        try {
          await cluster!.put(`during-${i}`, `value-during-${i}`, { timeoutMs: 8000 });
          during.set(`during-${i}`, `value-during-${i}`);
        } catch {
          // a write that failed may or may not have taken effect; only acknowledged ones are checked
        }
      }
      return during;
    })();
    await Bun.sleep(50);
    await cluster.kill(leader);
    const next = await cluster.waitForLeader(10_000, [leader]);
    expect(next).not.toBe(leader);
    for (const [key, value] of await writing) acknowledged.set(key, value);
    for (const [key, value] of await writeKeys("after-", 20)) acknowledged.set(key, value);
    await expectAllPresent(acknowledged);

    // The killed member comes back from its disk and catches up.
    await cluster.startMember(leader);
    await waitForApplied(["m1", "m2", "m3"]);
    await cluster.kill(next);
    await cluster.waitForLeader(10_000, [next]);
    await expectAllPresent(acknowledged);
  }, 120_000);

  test("5 members: with two killed (the leader among them) the other three serve; all restart to the same state", async () => {
    dir = mkdtempSync("/tmp/shoal-raftproc-");
    const ids = ["m1", "m2", "m3", "m4", "m5"];
    cluster = await RaftProcessCluster.start(dir, loopback(ids));
    const leader = await cluster.waitForLeader();
    const acknowledged = await writeKeys("a-", 30);
    const victim = ids.find((id) => id !== leader)!;
    await cluster.kill(leader);
    await cluster.kill(victim);
    await cluster.waitForLeader(10_000, [leader, victim]);
    for (const [key, value] of await writeKeys("b-", 30)) acknowledged.set(key, value);

    // A full restart of every member from disk keeps everything.
    for (const id of ids) await cluster.kill(id);
    await Promise.all(ids.map((id) => cluster!.startMember(id)));
    await cluster.waitForLeader();
    await expectAllPresent(acknowledged);
    await waitForApplied(ids);
  }, 120_000);

  test("a member cut off by nftables in its namespace: the rest serve, and it catches up once the cut heals", async () => {
    dir = mkdtempSync("/tmp/shoal-raftproc-");
    hosts = await createTestHosts({ cluster: "raftp", subnet: 22, count: 1, daemons: false });
    const host = hosts.hosts[0]!;
    cluster = await RaftProcessCluster.start(dir, [
      { id: "m1", address: `${hosts.gateway}:${freePort()}` },
      { id: "m2", address: `${hosts.gateway}:${freePort()}` },
      { id: "m3", address: `${host.address}:${freePort()}`, netns: host.netns },
    ]);
    await cluster.waitForLeader();
    const acknowledged = await writeKeys("x-", 20);
    await waitForApplied(["m1", "m2", "m3"]);

    await runOk(["nsenter", `--net=/run/netns/${host.netns}`, "--", "nft", "-f", "-"], {
      stdin: "table inet cut {\n chain in {\n  type filter hook input priority -300; policy drop;\n }\n chain out {\n  type filter hook output priority -300; policy drop;\n }\n}\n",
    });
    const leaderAfterCut = await cluster.waitForLeader(15_000, ["m3"]);
    expect(["m1", "m2"]).toContain(leaderAfterCut);
    for (const [key, value] of await writeKeys("y-", 20)) acknowledged.set(key, value);

    await runOk(["nsenter", `--net=/run/netns/${host.netns}`, "--", "nft", "delete", "table", "inet", "cut"]);
    await waitForApplied(["m1", "m2", "m3"], 20_000);
    await expectAllPresent(acknowledged);
  }, 120_000);
});
