/** The rules of the Raft paper and the named scenarios of shared/research/raft.md, on the pure core. */
import { describe, expect, test } from "bun:test";
import { ShoalError } from "../../src/lib/index.ts";
import { CoreNetwork, persistedWith } from "./core-network.ts";

const three = ["a", "b", "c"];
const five = ["a", "b", "c", "d", "e"];
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const bytes = (value: string) => new TextEncoder().encode(value);
const normal = (network: CoreNetwork, id: string) => network.applied.get(id)!.filter((entry) => entry.kind === "normal").map((entry) => text(entry.data));

describe("leader election", () => {
  test("a candidate wins in one round with a majority of 1, 3 and 5 members", () => {
    for (const ids of [["a"], three, five]) {
      const network = new CoreNetwork(ids);
      network.campaign("a");
      expect(network.core("a").role).toBe("leader");
      expect(network.leaders().length).toBe(1);
    }
  });

  test("a candidate without a majority does not win", () => {
    const network = new CoreNetwork(five, { config: { preVote: false } });
    network.isolate("c");
    network.isolate("d");
    network.isolate("e");
    network.campaign("a");
    expect(network.core("a").role).toBe("candidate");
  });

  test("a voter grants one vote per term, to the first candidate that asks", () => {
    const network = new CoreNetwork(three, { config: { preVote: false } });
    network.cut("a", "c");
    network.campaign("a");
    const term = network.core("a").term;
    expect(network.core("b").vote).toBe("a");
    network.recover();
    network.cut("a", "c");
    network.cut("b", "c");
    network.core("c").campaign(); // same term as a's election
    expect(network.core("c").term).toBe(term);
    network.recover();
    network.stabilize();
    expect(network.core("b").vote).toBe("a");
  });

  test("randomized timeouts elect exactly one leader after the election timeout", () => {
    const network = new CoreNetwork(five, { seed: 7 });
    network.tick(30);
    expect(network.leaders().length).toBe(1);
  });

  test("a candidate whose log is behind cannot win", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.isolate("c");
    network.core("a").propose(bytes("x"));
    network.stabilize();
    network.recover();
    // c missed "x": b must refuse its vote.
    network.isolate("a");
    network.core("c").campaign(true);
    network.stabilize();
    expect(network.core("c").role).not.toBe("leader");
  });
});

describe("log replication", () => {
  test("a proposal commits on a majority and every member applies it in the same order", () => {
    const network = new CoreNetwork(five);
    network.campaign("a");
    for (const value of ["one", "two", "three"]) network.core("a").propose(bytes(value));
    network.stabilize();
    for (const id of five) expect(normal(network, id)).toEqual(["one", "two", "three"]);
  });

  test("a proposal on a follower is refused, naming the leader", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    expect(() => network.core("b").propose(bytes("x"))).toThrow("not the raft leader (the leader is a)");
  });

  test("the leader repairs divergent follower logs (paper figure 7)", () => {
    const membership = { voters: ["L", "a", "b", "c", "d", "e", "f"], learners: [] };
    // Terms of entries 2.. (entry 1 is the config entry at term 1), as in figure 7.
    const logs: Record<string, number[]> = {
      L: [1, 1, 4, 4, 5, 5, 6, 6, 6],
      a: [1, 1, 4, 4, 5, 5, 6, 6],
      b: [1, 1, 4],
      c: [1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      d: [1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      e: [1, 1, 4, 4, 4, 4],
      f: [1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    };
    const persisted = new Map(Object.entries(logs).map(([id, terms]) => [id, persistedWith(terms, membership, { term: 7, commit: 1 })]));
    const network = new CoreNetwork(Object.keys(logs), { persisted, config: { preVote: false } });
    network.core("L").campaign();
    network.stabilize();
    // d has the longer log of term 7 and may refuse; make L win by cutting d during the election.
    if (network.core("L").role !== "leader") {
      network.isolate("d");
      network.core("L").campaign();
      network.stabilize();
      network.recover();
    }
    expect(network.core("L").role).toBe("leader");
    network.core("L").propose(bytes("after"));
    network.stabilize();
    network.tick(3);
    const leaderLog = network.core("L").log;
    for (const id of Object.keys(logs)) {
      const log = network.core(id).log;
      expect(log.lastIndex).toBe(leaderLog.lastIndex);
      for (let index = 1; index <= log.lastIndex; index++) expect(log.termAt(index)).toBe(leaderLog.termAt(index));
    }
  });

  test("a leader never commits an entry of an earlier term by counting replicas (paper figure 8)", () => {
    // Everyone holds entry 2 of term 2, uncommitted; a becomes leader of term 3 and appends its no-op (3).
    const membership = { voters: three, learners: [] };
    const persisted = new Map(three.map((id) => [id, persistedWith([2], membership, { term: 2, commit: 1 })]));
    const network = new CoreNetwork(three, { persisted, config: { preVote: false } });
    network.dropType("append");
    network.campaign("a");
    const leader = network.core("a");
    expect(leader.role).toBe("leader");
    expect(leader.term).toBe(3);
    // A majority reports holding entry 2: it is of term 2, so it must not commit.
    leader.step({ type: "appendResponse", from: "b", to: "a", term: 3, reject: false, index: 2, hintIndex: 0, hintTerm: 0 });
    leader.step({ type: "appendResponse", from: "c", to: "a", term: 3, reject: false, index: 2, hintIndex: 0, hintTerm: 0 });
    network.stabilize();
    expect(leader.log.committed).toBe(1);
    // Once the current term's entry is on a majority, everything up to it commits.
    leader.step({ type: "appendResponse", from: "b", to: "a", term: 3, reject: false, index: 3, hintIndex: 0, hintTerm: 0 });
    network.stabilize();
    expect(leader.log.committed).toBe(3);
  });
});

describe("pre-vote and check-quorum", () => {
  test("a member rejoining after a long partition does not depose the healthy leader (pre-vote)", () => {
    const network = new CoreNetwork(three, { seed: 3 });
    network.campaign("a");
    const term = network.core("a").term;
    network.isolate("c");
    network.tick(100);
    expect(network.core("c").term).toBe(term);
    network.recover();
    network.tick(5);
    expect(network.core("a").role).toBe("leader");
    expect(network.core("a").term).toBe(term);
  });

  test("without pre-vote the same rejoin bumps the term (the test would catch a missing pre-vote)", () => {
    const network = new CoreNetwork(three, { seed: 3, config: { preVote: false, checkQuorum: false } });
    network.campaign("a");
    const term = network.core("a").term;
    network.isolate("c");
    network.tick(100);
    network.recover();
    network.tick(5);
    expect(Math.max(...[...network.cores.values()].map((core) => core.term))).toBeGreaterThan(term);
  });

  test("followers whose connection to a dead leader broke elect a new one within two ticks, without splitting the vote", () => {
    const network = new CoreNetwork(three, { seed: 3 });
    network.campaign("a");
    const term = network.core("a").term;
    network.isolate("a");
    network.core("b").leaderConnectionLost("a");
    network.core("c").leaderConnectionLost("a");
    network.tick(2, ["b", "c"]);
    expect(network.core("b").role).toBe("leader");
    expect(network.core("b").term).toBe(term + 1);
    expect(network.core("c").lead).toBe("b");
  });

  test("a follower that lost its connection to a live leader cannot depose it: the others' lease holds", () => {
    const network = new CoreNetwork(three, { seed: 3 });
    network.campaign("a");
    const term = network.core("a").term;
    network.cut("a", "c");
    network.core("c").leaderConnectionLost("a");
    network.tick(3);
    expect(network.core("a").role).toBe("leader");
    expect(network.core("b").lead).toBe("a");
    expect(Math.max(...[...network.cores.values()].map((core) => core.term))).toBe(term);
    network.recover();
    network.tick(1);
    expect(network.core("c").lead).toBe("a");
    expect(network.core("a").term).toBe(term);
  });

  test("a lost connection to a member that is not the leader changes nothing", () => {
    const network = new CoreNetwork(three, { seed: 3 });
    network.campaign("a");
    network.core("c").leaderConnectionLost("b");
    network.core("a").leaderConnectionLost("b");
    expect(network.core("c").lead).toBe("a");
    expect(network.core("a").role).toBe("leader");
  });

  test("a leader cut off from a majority steps down within an election timeout (check-quorum)", () => {
    const network = new CoreNetwork(five, { seed: 5 });
    network.campaign("a");
    network.isolate("a");
    network.tick(network.core("a").config.electionTicks * 2 + 1, ["a"]);
    expect(network.core("a").role).toBe("follower");
  });
});

describe("linearizable reads", () => {
  test("a read index is confirmed by a quorum and covers everything committed", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.core("a").propose(bytes("v1"));
    network.stabilize();
    network.core("a").readIndex("r1");
    network.stabilize();
    expect(network.readStates.get("a")).toEqual([{ context: "r1", index: network.core("a").log.committed }]);
  });

  test("a leader partitioned away cannot confirm a read; a follower's read goes through the leader", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.isolate("a");
    network.core("a").readIndex("stale?");
    network.stabilize();
    expect(network.readStates.get("a")).toEqual([]);
    // It steps down at a check-quorum (within two election timeouts), failing the read instead of answering it.
    network.tick(network.core("a").config.electionTicks * 2, ["a"]);
    expect(network.readStates.get("a")).toEqual([{ context: "stale?", index: -1 }]);
    network.recover();
    network.tick(25, ["b", "c"]);
    const leader = network.leaders()[0]!;
    const follower = three.find((id) => id !== leader.id)!;
    network.core(follower).readIndex("fresh");
    network.stabilize();
    expect(network.readStates.get(follower)!.filter((state) => state.context === "fresh")).toEqual([{ context: "fresh", index: leader.log.committed }]);
  });
});

describe("leadership transfer", () => {
  test("hands leadership to an up-to-date follower", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.core("a").transferLeadership("c");
    network.stabilize();
    expect(network.core("c").role).toBe("leader");
    expect(network.core("a").role).toBe("follower");
  });

  test("a lagging transferee catches up first; proposals are refused meanwhile", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.cut("a", "c");
    network.core("a").propose(bytes("x"));
    network.stabilize();
    network.recover();
    network.core("a").transferLeadership("c");
    expect(() => network.core("a").propose(bytes("y"))).toThrow("being transferred");
    network.stabilize();
    expect(network.core("c").role).toBe("leader");
    expect(normal(network, "c")).toContain("x");
  });
});

describe("membership", () => {
  test("a new member joins as a learner, catches up, is promoted and then counts as a voter", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.core("a").propose(bytes("before"));
    network.stabilize();
    network.add("d", { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
    network.core("a").proposeConfigChange({ type: "addLearner", member: "d" });
    network.stabilize();
    network.tick(2);
    expect(network.core("d").membership.learners).toEqual(["d"]);
    expect(normal(network, "d")).toEqual(["before"]);
    network.core("a").proposeConfigChange({ type: "promote", member: "d" });
    network.stabilize();
    expect(network.core("a").membership.voters).toEqual(["a", "b", "c", "d"]);
    // With four voters a commit needs three: a, c and d, so d's acknowledgement counts.
    network.isolate("b");
    const { index } = network.core("a").propose(bytes("needs d"));
    network.stabilize();
    expect(network.core("a").log.committed).toBeGreaterThanOrEqual(index);
    expect(normal(network, "d")).toContain("needs d");
  });

  test("a promoted learner learns that its promotion committed at once, not at the next heartbeat", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.add("d", { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
    network.core("a").proposeConfigChange({ type: "addLearner", member: "d" });
    network.stabilize();
    network.tick(2);
    // a, b and c commit the promotion before d's answer is in; the leader still tells d (no tick here).
    network.core("a").proposeConfigChange({ type: "promote", member: "d" });
    network.stabilize();
    expect(network.core("d").membership.voters).toContain("d");
    expect(network.core("d").log.committed).toBe(network.core("a").log.committed);
  });

  test("one change at a time", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.isolate("b");
    network.isolate("c");
    network.core("a").proposeConfigChange({ type: "addLearner", member: "d" });
    const error = (() => {
      try {
        network.core("a").proposeConfigChange({ type: "addLearner", member: "e" });
      } catch (failure) {
        return failure as ShoalError;
      }
    })();
    expect(error?.message).toContain("already in progress");
  });

  test("a removal that would leave no quorum is refused with an explanation", () => {
    const network = new CoreNetwork(three, { seed: 2 });
    network.campaign("a");
    network.tick(1);
    network.isolate("c");
    network.tick(12);
    expect(network.core("a").role).toBe("leader");
    expect(() => network.core("a").proposeConfigChange({ type: "remove", member: "b" })).toThrow("without a quorum");
  });

  test("a removed leader steps down once the change commits, and the rest elect a new one", () => {
    const network = new CoreNetwork(three, { seed: 4 });
    network.campaign("a");
    network.tick(1);
    network.core("a").proposeConfigChange({ type: "remove", member: "a" });
    network.stabilize();
    expect(network.core("a").role).toBe("follower");
    network.tick(30, ["b", "c"]);
    expect(network.leaders().map((core) => core.id).filter((id) => id !== "a").length).toBe(1);
    expect(network.core("b").membership.voters).toEqual(["b", "c"]);
  });
});

describe("snapshots", () => {
  test("a follower behind the compaction point gets the snapshot, then the tail", () => {
    const network = new CoreNetwork(three, { config: { trailingEntries: 2 } });
    network.campaign("a");
    network.isolate("c");
    for (let i = 0; i < 20; i++) network.core("a").propose(bytes(`v${i}`));
    network.stabilize();
    const leader = network.core("a");
    leader.snapshotTaken(leader.log.applied, bytes("state-at-applied"));
    expect(leader.log.firstIndex).toBeGreaterThan(2);
    network.recover();
    network.tick(3);
    const follower = network.core("c");
    expect(follower.log.snapshot?.meta.index).toBe(leader.log.snapshot!.meta.index);
    leader.propose(bytes("tail"));
    network.stabilize();
    expect(normal(network, "c")).toEqual(["tail"]);
    expect(follower.log.lastIndex).toBe(leader.log.lastIndex);
  });
});

describe("force new cluster", () => {
  test("a survivor keeps exactly the committed state and leads alone", () => {
    const network = new CoreNetwork(three);
    network.campaign("a");
    network.core("a").propose(bytes("kept"));
    network.stabilize();
    network.isolate("a");
    network.core("a").propose(bytes("lost: never committed"));
    network.stabilize();
    const survivor = network.core("a");
    const persisted = {
      hardState: { term: survivor.term, vote: survivor.vote, commit: survivor.log.committed },
      snapshot: null,
      entries: survivor.log.slice(1, survivor.log.lastIndex),
    };
    const alone = new CoreNetwork(["a"], { persisted: new Map([["a", persisted]]), start: { forceNewCluster: true } });
    alone.core("a").campaign();
    alone.stabilize();
    expect(alone.core("a").role).toBe("leader");
    expect(alone.core("a").membership.voters).toEqual(["a"]);
    expect(normal(alone, "a")).toEqual(["kept"]);
  });
});

describe("flow control", () => {
  test("a follower that stops answering gets at most maxInflight appends", () => {
    const network = new CoreNetwork(three, { config: { maxInflight: 2 } });
    network.campaign("a");
    network.core("a").propose(bytes("warm"));
    network.stabilize();
    expect(network.core("a").progress.get("b")!.state).toBe("replicate");
    network.dropType("appendResponse");
    const before = network.delivered.length;
    for (let i = 0; i < 10; i++) {
      network.core("a").propose(bytes(`p${i}`));
      network.stabilize();
    }
    const appendsToB = network.delivered.slice(before).filter((message) => message.type === "append" && message.to === "b" && message.entries.length > 0);
    expect(appendsToB.length).toBe(2);
  });

  test("appends carry at most maxAppendBytes of entries (but always one)", () => {
    const network = new CoreNetwork(three, { config: { maxAppendBytes: 2048 } });
    network.campaign("a");
    network.isolate("c");
    for (let i = 0; i < 10; i++) network.core("a").propose(new Uint8Array(1000));
    network.core("a").propose(new Uint8Array(5000));
    network.stabilize();
    network.recover();
    const before = network.delivered.length;
    network.tick(5);
    const appends = network.delivered.slice(before).filter((message) => message.type === "append" && message.to === "c" && message.entries.length > 0);
    expect(appends.length).toBeGreaterThan(3);
    for (const append of appends) {
      if (append.type !== "append") continue;
      const size = append.entries.reduce((sum, entry) => sum + entry.data.length, 0);
      expect(append.entries.length === 1 || size <= 2048).toBe(true);
    }
    expect(network.core("c").log.lastIndex).toBe(network.core("a").log.lastIndex);
  });
});

describe("removed members", () => {
  test("a member removed while cut off cannot disrupt the group when it comes back", () => {
    const network = new CoreNetwork(three, { seed: 8 });
    network.campaign("a");
    network.tick(1);
    network.isolate("c");
    network.tick(1, ["a", "b"]);
    // c is unreachable but a and b are a quorum of the new group {a, b}.
    network.core("a").proposeConfigChange({ type: "remove", member: "c" });
    network.stabilize();
    expect(network.core("a").membership.voters).toEqual(["a", "b"]);
    network.tick(60, ["c"]);
    const term = network.core("a").term;
    network.recover();
    network.tick(10);
    expect(network.core("a").role).toBe("leader");
    expect(network.core("a").term).toBe(term);
    expect(network.core("c").role).not.toBe("leader");
  });
});
