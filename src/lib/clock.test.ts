import { expect, test } from "bun:test";
import { systemClock } from "./clock.ts";

test("a delay longer than a JS timer can hold does not fire early", async () => {
  let fired = false;
  const timer = systemClock.setTimeout(() => (fired = true), 45 * 24 * 3600 * 1000);
  await Bun.sleep(20);
  expect(fired).toBe(false);
  timer.cancel();
});

test("a short delay fires", async () => {
  const fired = await new Promise<boolean>((resolve) => systemClock.setTimeout(() => resolve(true), 1));
  expect(fired).toBe(true);
});
