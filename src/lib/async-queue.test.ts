import { expect, test } from "bun:test";
import { AsyncQueue } from "./async-queue.ts";

test("items pushed before and after the reader waits arrive in order; end finishes after them", async () => {
  const queue = new AsyncQueue<number>();
  queue.push(1);
  const read = (async () => {
    const seen: number[] = [];
    for await (const item of queue) seen.push(item);
    return seen;
  })();
  await Bun.sleep(1);
  queue.push(2);
  queue.push(3);
  queue.end();
  queue.push(4);
  expect(await read).toEqual([1, 2, 3]);
});

test("end with an error throws it to the reader after the items left", async () => {
  const queue = new AsyncQueue<string>();
  queue.push("a");
  queue.end(new Error("gone"));
  const seen: string[] = [];
  await expect(
    (async () => {
      for await (const item of queue) seen.push(item);
    })(),
  ).rejects.toThrow("gone");
  expect(seen).toEqual(["a"]);
});
