import { expect, test } from "bun:test";
import * as fixtures from "../../store/store-fixtures.ts";
import type { ServiceSpec } from "../../types/index.ts";
import { updatePlan } from "./update-config.ts";

const spec = (changes: Partial<ServiceSpec> = {}): ServiceSpec => ({ ...fixtures.service("web").Spec, ...changes });

test("a spec without update config gets SwarmKit's defaults: one at a time, no delay, pause, 5 s monitor, no failure tolerated, stop-first", () => {
  expect(updatePlan(spec(), false, 3)).toEqual({ parallelism: 1, delayMs: 0, failureAction: "pause", monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" });
  expect(updatePlan(spec(), true, 3)).toEqual(updatePlan(spec(), false, 3));
});

test("parallelism 0 means every slot at once; durations are nanoseconds; a zero monitor is the default", () => {
  const config = { Parallelism: 0, Delay: 10e9, MaxFailureRatio: 0.2, Order: "start-first" as const, FailureAction: "rollback" as const, Monitor: 0 };
  expect(updatePlan(spec({ UpdateConfig: config }), false, 7)).toEqual({ parallelism: 7, delayMs: 10_000, failureAction: "rollback", monitorMs: 5_000, maxFailureRatio: 0.2, order: "start-first" });
  expect(updatePlan(spec({ UpdateConfig: { ...config, Parallelism: 5, Monitor: 30e9 } }), false, 2)).toMatchObject({ parallelism: 2, monitorMs: 30_000 });
});

test("a rollback follows RollbackConfig, an update UpdateConfig", () => {
  const both = spec({ UpdateConfig: { Parallelism: 2, MaxFailureRatio: 0, Order: "stop-first" }, RollbackConfig: { Parallelism: 4, MaxFailureRatio: 0, Order: "start-first" } });
  expect(updatePlan(both, false, 10)).toMatchObject({ parallelism: 2, order: "stop-first" });
  expect(updatePlan(both, true, 10)).toMatchObject({ parallelism: 4, order: "start-first" });
});
