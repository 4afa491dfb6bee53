import { expect, test } from "bun:test";
import { CommitQueue } from "./commit-queue.ts";

/** A queue whose writes finish when the test says so, recording the groups it was given. */
function heldQueue() {
  const groups: number[][] = [];
  const finish: { resolve(): void; reject(error: unknown): void }[] = [];
  const queue = new CommitQueue<number>(
    (ops) => {
      groups.push(ops);
      return new Promise<void>((resolve, reject) => finish.push({ resolve, reject }));
    },
    "now",
  );
  return { queue, groups, finish };
}

test("operations submitted while a write is in flight all go into the next write", async () => {
  const { queue, groups, finish } = heldQueue();
  const done: number[] = [];
  const all = [1, 2, 3, 4].map((n) => queue.submit(n).then(() => done.push(n)));
  expect(groups).toEqual([[1]]);
  finish[0]!.resolve();
  await all[0];
  expect(groups).toEqual([[1], [2, 3, 4]]);
  finish[1]!.resolve();
  await Promise.all(all);
  expect(done).toEqual([1, 2, 3, 4]);
});

test("a failed write rejects its operations, the pending ones and every later one", async () => {
  const { queue, finish } = heldQueue();
  const first = queue.submit(1).catch((e: unknown) => e);
  const second = queue.submit(2).catch((e: unknown) => e);
  finish[0]!.reject(new Error("disk gone"));
  expect(((await first) as Error).message).toBe("disk gone");
  expect(((await second) as Error).message).toBe("disk gone");
  expect(((await queue.submit(3).catch((e: unknown) => e)) as Error).message).toBe("disk gone");
  await queue.drained();
});

test("drained waits for the write in flight and the ones queued behind it", async () => {
  const { queue, finish } = heldQueue();
  const first = queue.submit(1);
  void queue.submit(2);
  let drained = false;
  const waiting = queue.drained().then(() => (drained = true));
  finish[0]!.resolve();
  await first;
  expect(drained).toBe(false);
  finish[1]!.resolve();
  await waiting;
  expect(drained).toBe(true);
});

test("a microtask start groups a synchronous burst into one write", async () => {
  const groups: number[][] = [];
  const queue = new CommitQueue<number>(async (ops) => void groups.push(ops), "microtask");
  await Promise.all([1, 2, 3].map((n) => queue.submit(n)));
  expect(groups).toEqual([[1, 2, 3]]);
});
