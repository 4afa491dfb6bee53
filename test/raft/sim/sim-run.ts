import { createHash } from "node:crypto";
import type { ConfigChange } from "../../../src/raft/config-change.ts";
import type { RaftNode } from "../../../src/raft/raft-node.ts";
import { checkLinearizable } from "../../support/linearizability.ts";
import { kvModel, type KvOperation } from "../../support/linearizability-kv.ts";
import { shuffled } from "../core-network.ts";
import { encodeKv } from "./kv-state-machine.ts";
import { SimCluster, certainlyNotApplied, type SimStorageFactory } from "./sim-cluster.ts";

/** What one seed's run did. */
export interface SimResult {
  seed: number;
  operations: number;
  ambiguous: number;
  reads: number;
  terms: number;
  committed: number;
  crashes: number;
  membershipChanges: number;
  /** A digest of the client history and the simulated end time: equal for two runs of one seed. */
  fingerprint: string;
}

/**
 * One membership step, chosen from the leader's view: promote a learner that has caught up, add a
 * new empty member as a learner, or remove a voter (never below three) and retire it for good.
 * Returns 1 when a change was proposed.
 */
async function changeMembership(cluster: SimCluster, leader: RaftNode, random: () => number): Promise<number> {
  const { membership, commit } = leader.status();
  const replication = leader.replication();
  const caughtUp = membership.learners.find((id) => (replication[id]?.match ?? 0) >= commit);
  let change: ConfigChange;
  let retire: string | null = null;
  if (caughtUp) change = { type: "promote", member: caughtUp };
  else if (membership.learners.length === 0 && (membership.voters.length < 5 || random() < 0.3)) {
    change = { type: "addLearner", member: await cluster.addEmptyMember() };
  } else if (membership.voters.length > 3) {
    const victim = membership.voters[Math.floor(random() * membership.voters.length)]!;
    change = { type: "remove", member: victim };
    retire = victim;
  } else return 0;
  try {
    await leader.changeMembership(change, { timeoutMs: 300 });
    if (retire) cluster.retire(retire);
  } catch {
    // refused (a change in progress, no quorum, leadership lost): nothing to retire
  }
  return 1;
}

/** Options of {@link runSimulation}. */
export interface SimRunOptions {
  storage: SimStorageFactory;
  size?: number;
  /** Simulated milliseconds of faults and load (then the cluster is healed and must converge). */
  durationMs?: number;
  clients?: number;
}

/**
 * One deterministic run: a cluster, clients writing and reading keys, a nemesis partitioning,
 * crashing and restarting members and slowing disks; invariants after every event; at the end the
 * cluster heals, must elect a leader and serve, and the client history must be linearizable.
 * Throws, naming the seed, on any violation.
 */
export async function runSimulation(seed: number, options: SimRunOptions): Promise<SimResult> {
  const cluster = new SimCluster({ seed, size: options.size ?? (seed % 2 === 0 ? 3 : 5), storage: options.storage });
  const fail = (message: string): never => {
    throw new Error(`simulation seed ${seed} failed (replay: SHOAL_SIM_SEED=${seed}): ${message}`);
  };
  const history: KvOperation[] = [];
  let clock = 0;
  let crashes = 0;
  let membershipChanges = 0;
  try {
    await cluster.start();
    const deadline = cluster.scheduler.now() + (options.durationMs ?? 3000);
    const random = cluster.random;

    const client = async (clientId: number) => {
      let target: string | undefined;
      for (let n = 0; cluster.scheduler.now() < deadline; n++) {
        await cluster.sleep(1 + random() * 20);
        const live = cluster.live();
        if (live.length === 0) continue;
        const isWrite = random() < 0.6;
        // Writes go where the client believes the leader is; reads go anywhere (a deposed leader must not answer stale).
        const sticky = isWrite && target && cluster.members.get(target)?.node ? cluster.members.get(target)! : undefined;
        const member = (sticky ?? live[Math.floor(random() * live.length)])!;
        const node = member.node!;
        const key = `k${Math.floor(random() * 3)}`;
        if (isWrite) {
          const value = `c${clientId}-${n}`;
          const call = clock++;
          try {
            await node.propose(encodeKv({ op: "put", key, value }), { timeoutMs: 300 });
            history.push({ clientId, input: { op: "put", key, value }, output: undefined, call, return: clock++ });
          } catch (error) {
            if (certainlyNotApplied(error)) target = /the leader is (\S+)\)/.exec(String(error))?.[1];
            else history.push({ clientId, input: { op: "put", key, value }, call, return: Number.POSITIVE_INFINITY });
          }
        } else {
          const call = clock++;
          try {
            await node.readBarrier({ timeoutMs: 300 });
            const output = member.machine.data.get(key) ?? null;
            history.push({ clientId, input: { op: "get", key }, output, call, return: clock++ });
          } catch {
            target = undefined;
          }
        }
      }
    };

    const nemesis = async () => {
      while (cluster.scheduler.now() < deadline) {
        await cluster.sleep(100 + random() * 400);
        const ids = cluster.ids;
        const action = random();
        const leader = cluster.leader();
        if (action < 0.15 && leader) {
          // Cut the leader off with a minority: the majority elects another while it still believes it leads.
          const others = shuffled(ids.filter((id) => id !== leader.id), random);
          const minority = [leader.id, ...others.slice(0, Math.floor((ids.length - 1) / 2) - 1)];
          cluster.network.heal();
          cluster.network.partition(minority, ids.filter((id) => !minority.includes(id)));
        } else if (action < 0.3) {
          const order = shuffled(ids, random);
          const cut = 1 + Math.floor(random() * (ids.length - 1));
          cluster.network.heal();
          cluster.network.partition(order.slice(0, cut), order.slice(cut), random() < 0.2);
        } else if (action < 0.45) {
          cluster.network.heal();
        } else if (action < 0.62) {
          const live = cluster.live();
          if (live.length > 1) {
            cluster.crash(live[Math.floor(random() * live.length)]!.id);
            crashes++;
          }
        } else if (action < 0.85) {
          const down = ids.filter((id) => !cluster.members.get(id)!.node);
          if (down.length > 0) await cluster.restart(down[Math.floor(random() * down.length)]!);
        } else if (action < 0.9) {
          cluster.diskLatencyMs = random() < 0.5 ? 40 : 2;
        } else if (leader) {
          membershipChanges += await changeMembership(cluster, leader.node!, random);
        }
      }
    };

    let actorsDone = false;
    const actors = Promise.all([...Array.from({ length: options.clients ?? 3 }, (_, i) => client(i)), nemesis()]).finally(() => (actorsDone = true));
    // Keep simulated time moving until every client and the nemesis have finished their last step.
    for (let waited = 0; !actorsDone; waited += 50) {
      if (waited > (options.durationMs ?? 3000) + 5000) fail("clients or nemesis never finished");
      await cluster.runFor(50);
    }
    await actors;

    // Heal everything: the cluster must come back and serve.
    cluster.network.heal();
    cluster.diskLatencyMs = 2;
    for (const id of cluster.ids) await cluster.restart(id);
    await cluster.runFor(1000);
    const leader = cluster.leader() ?? fail("no leader after healing");
    const value = `final-${seed}`;
    const call = clock++;
    const write = leader.node!.propose(encodeKv({ op: "put", key: "k0", value }), { timeoutMs: 2000 });
    await cluster.runFor(500);
    await write.catch((error) => fail(`a write after healing failed: ${String(error)}`));
    history.push({ clientId: 99, input: { op: "put", key: "k0", value }, output: undefined, call, return: clock++ });
    await cluster.runFor(500);
    const group = new Set([...leader.node!.status().membership.voters, ...leader.node!.status().membership.learners]);
    for (const member of cluster.live().filter((candidate) => group.has(candidate.id))) {
      if (member.machine.data.get("k0") !== value) {
        const statuses = cluster.live().map((other) => JSON.stringify({ ...other.node!.status(), replication: other.node!.replication(), first: other.node!.logFirstIndex }));
        fail(`${member.id} did not converge on the final write:\n${statuses.join("\n")}`);
      }
    }
  } catch (error) {
    if (String(error).includes("simulation seed")) throw error;
    fail(String(error instanceof Error ? error.stack ?? error.message : error));
  } finally {
    for (const id of cluster.ids) cluster.members.get(id)?.node?.stop();
  }

  const verdict = checkLinearizable(kvModel, history, { timeoutMs: 10_000 });
  if (verdict.ok === false) fail(`history is not linearizable: ${verdict.reason}`);
  if (verdict.ok === "unknown") fail("the linearizability check ran out of time: the history was not checked");
  return {
    seed,
    operations: history.length,
    ambiguous: history.filter((op) => op.return === Number.POSITIVE_INFINITY).length,
    reads: history.filter((op) => op.input.op === "get").length,
    terms: cluster.invariants.termsWithLeader,
    membershipChanges,
    committed: cluster.invariants.maxApplied,
    crashes,
    fingerprint: createHash("sha256").update(JSON.stringify({ history, end: cluster.scheduler.now() })).digest("hex"),
  };
}
