import { expect, test } from "bun:test";
import { sleep } from "../../src/lib/index.ts";
import { FakeClock } from "./fake-clock.ts";

test("timers fire in time order as the clock advances, intervals repeat, cancelled ones do not", () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
  const interval = clock.setInterval(() => fired.push(`i@${clock.now()}`), 15);
  clock.setTimeout(() => fired.push("never"), 5).cancel();
  clock.advance(31);
  interval.cancel();
  clock.advance(100);
  expect(fired).toEqual(["a@10", "i@15", "b@20", "i@30"]);
  expect(clock.now()).toBe(131);
  expect(clock.pending).toBe(0);
});

test("sleep on a fake clock resolves when time passes and rejects on abort", async () => {
  const clock = new FakeClock(0);
  let woke = false;
  const sleeping = sleep(clock, 1000).then(() => (woke = true));
  await clock.advanceAsync(999);
  expect(woke).toBe(false);
  await clock.advanceAsync(1);
  await sleeping;
  expect(woke).toBe(true);
  const controller = new AbortController();
  const aborted = sleep(clock, 1000, controller.signal);
  controller.abort(new Error("stop"));
  await expect(aborted).rejects.toThrow("stop");
});
