import { expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { FailureMonitor } from "./update-failures.ts";

test("only tasks of this update count, each once, and only before or within the monitor period after they started", () => {
  const clock = new FakeClock();
  const monitor = new FailureMonitor(clock, { monitorMs: 5_000, slots: 10, maxFailureRatio: 1 });
  monitor.track("never-ran");
  monitor.track("ran-briefly");
  monitor.track("ran-long");
  monitor.started("ran-briefly");
  monitor.started("ran-long");
  clock.advance(5_000);
  monitor.failed("ran-briefly");
  clock.advance(1);
  monitor.failed("ran-long");
  monitor.failed("never-ran");
  monitor.failed("never-ran");
  monitor.failed("someone-else");
  expect(monitor.failures).toBe(2);
});

test("the failure action applies once failures exceed the ratio of the slots being updated", () => {
  const clock = new FakeClock();
  const monitor = new FailureMonitor(clock, { monitorMs: 5_000, slots: 4, maxFailureRatio: 0.5 });
  for (const id of ["a", "b", "c"]) monitor.track(id);
  expect(monitor.failed("a")).toBe(false);
  expect(monitor.failed("b")).toBe(false);
  expect(monitor.failed("c")).toBe(true);
  const strict = new FailureMonitor(clock, { monitorMs: 5_000, slots: 4, maxFailureRatio: 0 });
  strict.track("a");
  expect(strict.failed("a")).toBe(true);
});

test("the monitor period starts when the task is first seen running", () => {
  const clock = new FakeClock();
  const monitor = new FailureMonitor(clock, { monitorMs: 5_000, slots: 1, maxFailureRatio: 0 });
  monitor.track("a");
  clock.advance(60_000);
  monitor.started("a");
  clock.advance(4_000);
  monitor.started("a");
  clock.advance(1_000);
  expect(monitor.failed("a")).toBe(true);
});
