import { expect, test } from "bun:test";
import type { RaftStatus } from "../raft/index.ts";
import { leadsUpToDate } from "./leader-probe.ts";

/** A raft member as the probe sees it: its status and the terms of its log entries by index. */
function member(status: Partial<RaftStatus>, terms: Record<number, number>) {
  return {
    id: "a",
    status: (): RaftStatus => ({ id: "a", role: "leader", term: 3, leader: "a", commit: 0, applied: 0, membership: { voters: ["a"], learners: [] }, ...status }) as RaftStatus,
    logTerm: (index: number) => terms[index],
  };
}

test("a leader that applied an entry of its own term is up to date, even while later entries wait to be applied", () => {
  expect(leadsUpToDate(member({ commit: 12, applied: 10 }, { 9: 2, 10: 3, 11: 3, 12: 3 }))).toBe(true);
  expect(leadsUpToDate(member({ commit: 10, applied: 10 }, { 9: 2, 10: 3 }))).toBe(true);
});

test("a leader that has not applied an entry of its own term yet is not up to date", () => {
  expect(leadsUpToDate(member({ commit: 10, applied: 9 }, { 9: 2, 10: 3 }))).toBe(false);
  expect(leadsUpToDate(member({ commit: 9, applied: 9 }, { 9: 2 }))).toBe(false);
});

test("a follower is not leading", () => {
  expect(leadsUpToDate(member({ role: "follower", leader: "b", commit: 10, applied: 10 }, { 10: 3 }))).toBe(false);
});
