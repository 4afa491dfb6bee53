import { expect, test } from "bun:test";
import * as fixtures from "../../store/store-fixtures.ts";
import type { Task, TaskState } from "../../types/index.ts";
import { slotsInKeepOrder } from "./scale-down.ts";

function task(slot: number, nodeId: string | undefined, state: TaskState): Task {
  return { ...fixtures.task("svc", slot, { ...(nodeId ? { nodeId } : {}), state }), ID: `t${slot}`, Version: { Index: 1 }, CreatedAt: "", UpdatedAt: "" };
}

const order = (slots: Task[][]) => slotsInKeepOrder(slots).map((slot) => slot[0]!.Slot);

test("slots not running yet are removed before running ones", () => {
  expect(order([[task(1, "a", "assigned")], [task(2, "b", "running")], [task(3, "c", "running")]])).toEqual([2, 3, 1]);
});

test("unassigned slots and slots with two tasks go last", () => {
  expect(order([[task(1, undefined, "pending")], [task(2, "a", "running"), task(2, "a", "starting")], [task(3, "a", "running")]])).toEqual([3, 2, 1]);
});

test("slots on the nodes with the most copies go first, keeping the lower slot numbers", () => {
  const slots = [[task(1, "a", "running")], [task(2, "a", "running")], [task(3, "a", "running")], [task(4, "b", "running")], [task(5, "b", "running")], [task(6, "c", "running")]];
  expect(order(slots)).toEqual([1, 4, 6, 2, 5, 3]);
});
