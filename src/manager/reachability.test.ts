import { describe, expect, test } from "bun:test";
import { managerLeaveRefusal, memberReachability, removalLosesQuorum, REACHABILITY_TIMEOUT_MS } from "./reachability.ts";

const view = { self: "a", leader: "a", member: "b", stored: "reachable" as const, lastHeardAt: 10_000, now: 10_500 };

describe("memberReachability", () => {
  test("a manager is always reachable from itself", () => {
    expect(memberReachability({ ...view, member: "a", lastHeardAt: undefined })).toBe("reachable");
  });

  test("the leader counts a member reachable while it heard from it within the election timeout", () => {
    expect(memberReachability(view)).toBe("reachable");
    expect(memberReachability({ ...view, now: 10_000 + REACHABILITY_TIMEOUT_MS + 1 })).toBe("unreachable");
    expect(memberReachability({ ...view, lastHeardAt: undefined })).toBe("unreachable");
  });

  test("a follower judges the leader by its own contact and the others by the store", () => {
    const follower = { ...view, self: "b", leader: "a" };
    expect(memberReachability({ ...follower, member: "a", lastHeardAt: 10_400 })).toBe("reachable");
    expect(memberReachability({ ...follower, member: "a", lastHeardAt: 1000 })).toBe("unreachable");
    expect(memberReachability({ ...follower, member: "c", stored: "unreachable", lastHeardAt: undefined })).toBe("unreachable");
    expect(memberReachability({ ...follower, member: "c", stored: "reachable", lastHeardAt: undefined })).toBe("reachable");
  });
});

describe("removalLosesQuorum", () => {
  test("with three managers all up, any one may be removed", () => {
    expect(removalLosesQuorum(["a", "b", "c"], "b", new Set())).toBe(false);
  });

  test("with three managers and one down, removing a live one loses the quorum; removing the down one does not", () => {
    expect(removalLosesQuorum(["a", "b", "c"], "b", new Set(["c"]))).toBe(true);
    expect(removalLosesQuorum(["a", "b", "c"], "c", new Set(["c"]))).toBe(false);
  });

  test("with five managers and one down, a live one may go; with two down, none of the live ones", () => {
    expect(removalLosesQuorum(["a", "b", "c", "d", "e"], "b", new Set(["e"]))).toBe(false);
    expect(removalLosesQuorum(["a", "b", "c", "d", "e"], "b", new Set(["d", "e"]))).toBe(true);
  });

  test("removing the only voter always loses the quorum; a learner never counts", () => {
    expect(removalLosesQuorum(["a"], "a", new Set())).toBe(true);
    expect(removalLosesQuorum(["a", "b"], "learner", new Set())).toBe(false);
  });
});

describe("managerLeaveRefusal", () => {
  test("the last manager gets docker's erase warning", () => {
    expect(managerLeaveRefusal(1, 0)).toContain("Removing the last manager erases all current state of the swarm");
  });

  test("leaving one of two or three managers warns that the quorum is lost, with the counts", () => {
    expect(managerLeaveRefusal(2, 0)).toBe(
      "You are attempting to leave the swarm on a node that is participating as a manager. Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be inaccessible. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.",
    );
    expect(managerLeaveRefusal(2, 1)).toContain("Removing this node leaves 1 managers out of 3.");
  });

  test("when the quorum survives, only the general warning remains", () => {
    expect(managerLeaveRefusal(3, 0)).toBe(
      "You are attempting to leave the swarm on a node that is participating as a manager. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.",
    );
  });
});
