import { expect, test } from "bun:test";
import { silentLogger } from "../lib/index.ts";
import type { ConfigChange, Membership, RaftNode } from "../raft/index.ts";
import { ClusterStore } from "../store/index.ts";
import type { Node } from "../types/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { RaftMembership } from "./raft-membership.ts";

const LEADER = "leader0000000000000000000";

/** The parts of a raft member the membership loop uses, as a leader whose log is described by the test. */
class FakeRaft {
  readonly id = LEADER;
  readonly changes: ConfigChange[] = [];
  membership: Membership;
  term = 3;
  commit = 40;
  applied = 40;
  /** Whether the entry at the commit index is of this leader's term (it has committed one of its own). */
  ownTermCommitted = true;
  /** How far each member's log matches (the commit index when not set). */
  readonly matches: Record<string, number> = {};

  constructor(membership: Membership) {
    this.membership = membership;
  }

  status() {
    return { id: this.id, role: "leader", term: this.term, leader: this.id, commit: this.commit, applied: this.applied, membership: structuredClone(this.membership) };
  }

  logTerm(index: number): number | undefined {
    return index === this.commit ? (this.ownTermCommitted ? this.term : this.term - 1) : undefined;
  }

  replication(): Record<string, { match: number; next: number; state: string }> {
    return Object.fromEntries([...this.membership.voters, ...this.membership.learners].map((member) => [member, { match: this.matches[member] ?? this.commit, next: this.commit + 1, state: "replicate" }]));
  }

  /** Records the change and applies it to the membership, as a committed change would. */
  async changeMembership(change: ConfigChange): Promise<void> {
    this.changes.push(change);
    if (!("member" in change)) return;
    const { voters, learners } = this.membership;
    const others = (members: string[]) => members.filter((member) => member !== change.member);
    if (change.type === "addLearner") this.membership = { voters, learners: [...learners, change.member] };
    else if (change.type === "promote") this.membership = { voters: [...voters, change.member], learners: others(learners) };
    else if (change.type === "remove") this.membership = { voters: others(voters), learners: others(learners) };
  }

  transferLeadership(): void {}
}

function managerNode(id: string): Node {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: "2026-01-01T00:00:00Z",
    UpdatedAt: "2026-01-01T00:00:00Z",
    Spec: { Labels: {}, Role: "manager", Availability: "active", Membership: "accepted" },
    Status: { State: "ready", Addr: "10.0.0.1" },
    ManagerStatus: { Leader: false, Reachability: "reachable", Addr: "10.0.0.1:2377" },
  } as Node;
}

/** A leader's membership loop over `raft`, with a store holding `nodes`; members in `silent` are not heard from. */
async function loop(raft: FakeRaft, nodes: string[], silent: string[] = []) {
  const clock = new FakeClock();
  const store = new ClusterStore({ clock, logger: silentLogger });
  await store.update((tx) => {
    for (const id of nodes) tx.create("nodes", managerNode(id));
  });
  return new RaftMembership({
    store,
    raft: raft as unknown as RaftNode,
    clock,
    logger: silentLogger,
    lastHeardFrom: (member) => (silent.includes(member) ? undefined : clock.now()),
  });
}

test("removes a learner whose node is gone (a join abandoned after the CA recorded it)", async () => {
  const raft = new FakeRaft({ voters: [LEADER], learners: ["ghost"] });
  await (await loop(raft, [LEADER])).check();
  expect(raft.changes).toEqual([{ type: "remove", member: "ghost" }]);
});

test("does not take a node its store has not applied yet for a missing one", async () => {
  const behind = new FakeRaft({ voters: [LEADER], learners: ["newcomer"] });
  behind.applied = 39;
  await (await loop(behind, [LEADER])).check();
  const newLeader = new FakeRaft({ voters: [LEADER], learners: ["newcomer"] });
  newLeader.ownTermCommitted = false;
  await (await loop(newLeader, [LEADER])).check();
  expect([...behind.changes, ...newLeader.changes].filter((change) => change.type === "remove")).toEqual([]);
});

test("removes a voter whose node is gone when the others keep their quorum, and not when they would lose it", async () => {
  const safe = new FakeRaft({ voters: [LEADER, "a", "ghost"], learners: [] });
  await (await loop(safe, [LEADER, "a"], ["ghost"])).check();
  expect(safe.changes).toEqual([{ type: "remove", member: "ghost" }]);

  const risky = new FakeRaft({ voters: [LEADER, "a", "b", "c", "ghost"], learners: [] });
  await (await loop(risky, [LEADER, "a", "b", "c"], ["a", "b", "ghost"])).check();
  expect(risky.changes).toEqual([]);
});

test("a group whose members all have nodes is left as it is", async () => {
  const raft = new FakeRaft({ voters: [LEADER, "a"], learners: [] });
  await (await loop(raft, [LEADER, "a"])).check();
  expect(raft.changes).toEqual([]);
});

/** A started membership loop (periodic rounds and event-driven ones) over `raft` and a store holding `nodes`. */
async function started(raft: FakeRaft, nodes: string[], options: { connect?: (member: string) => Promise<void>; silent?: string[] } = {}) {
  const { connect, silent = [] } = options;
  const clock = new FakeClock();
  const store = new ClusterStore({ clock, logger: silentLogger });
  await store.update((tx) => {
    for (const id of nodes) tx.create("nodes", managerNode(id));
  });
  const membership = new RaftMembership({ store, raft: raft as unknown as RaftNode, clock, logger: silentLogger, lastHeardFrom: (member) => (silent.includes(member) ? undefined : clock.now()), ...(connect ? { connect } : {}) });
  membership.start();
  /** Lets promise callbacks run and fires the timers due now, without moving time (no periodic round). */
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await Bun.sleep(0);
      clock.advance(0);
    }
  };
  return { clock, store, membership, settle };
}

test("a manager recorded in the store is added as a learner at once, without waiting for the periodic round", async () => {
  const raft = new FakeRaft({ voters: [LEADER], learners: [] });
  raft.matches.joiner = 0; // a new member's log is empty: it stays a learner
  const { store, membership, settle } = await started(raft, [LEADER]);
  await store.update((tx) => tx.create("nodes", managerNode("joiner")));
  await settle();
  expect(raft.changes).toEqual([{ type: "addLearner", member: "joiner" }]);
  membership.stop();
});

test("a learner is promoted as soon as a message from it shows that its log caught up, never before", async () => {
  const raft = new FakeRaft({ voters: [LEADER], learners: ["joiner"] });
  raft.matches.joiner = raft.commit - 5;
  const { membership, settle } = await started(raft, [LEADER, "joiner"]);
  membership.heardFrom("joiner");
  await settle();
  expect(raft.changes).toEqual([]);
  raft.matches.joiner = raft.commit;
  membership.heardFrom("joiner");
  await settle();
  expect(raft.changes).toEqual([{ type: "promote", member: "joiner" }]);
  membership.stop();
});

test("with a connect step, a new manager is added only once its raft address answered; a failed attempt is retried by a later round", async () => {
  const raft = new FakeRaft({ voters: [LEADER], learners: [] });
  raft.matches.joiner = 0;
  const attempts: { member: string; settle: (ok: boolean) => void }[] = [];
  const connect = (member: string) =>
    new Promise<void>((resolve, reject) => attempts.push({ member, settle: (ok) => (ok ? resolve() : reject(new Error("connection refused"))) }));
  const { clock, store, membership, settle } = await started(raft, [LEADER], { connect });
  await store.update((tx) => tx.create("nodes", managerNode("joiner")));
  await settle();
  expect(attempts.map((attempt) => attempt.member)).toEqual(["joiner"]);
  expect(raft.changes).toEqual([]);

  attempts[0]!.settle(false);
  await settle();
  expect(raft.changes).toEqual([]);
  clock.advance(200); // the periodic round tries again
  await settle();
  expect(attempts).toHaveLength(2);

  attempts[1]!.settle(true);
  await settle();
  expect(raft.changes).toEqual([{ type: "addLearner", member: "joiner" }]);
  membership.stop();
});

test("after stop, neither store changes nor learners' messages start a round", async () => {
  const raft = new FakeRaft({ voters: [LEADER], learners: ["joiner"] });
  const { store, membership, settle } = await started(raft, [LEADER, "joiner"]);
  membership.stop();
  await store.update((tx) => tx.create("nodes", managerNode("other")));
  membership.heardFrom("joiner");
  await settle();
  expect(raft.changes).toEqual([]);
});

test("a learner just added is not written unreachable by the round that follows at once; one that stays silent is, after the reachability timeout", async () => {
  const raft = new FakeRaft({ voters: [LEADER], learners: [] });
  raft.matches.joiner = 0;
  const { clock, store, membership, settle } = await started(raft, [LEADER], { silent: ["joiner"] });
  clock.advance(2400); // leading for longer than the reachability timeout: rounds write reachability
  await settle();
  await store.update((tx) => tx.create("nodes", managerNode("joiner")));
  await settle();
  const reachability = () => store.view((tx) => tx.get("nodes", "joiner"))?.ManagerStatus?.Reachability;
  expect(raft.changes).toEqual([{ type: "addLearner", member: "joiner" }]);
  expect(reachability()).toBe("reachable");
  for (let i = 0; i < 12; i++) {
    clock.advance(200);
    await settle();
  }
  expect(reachability()).toBe("unreachable");
  membership.stop();
});
