import { expect, test } from "bun:test";
import { healthPlan, nextHealth, type ProbeResult } from "./health-checks.ts";

const probe = (exitCode: number): ProbeResult => ({ exitCode, output: exitCode === 0 ? "ok" : "bad", start: new Date(0), end: new Date(1) });

test("a health check's plan: docker's defaults, CMD and CMD-SHELL, and none for NONE or no test", () => {
  expect(healthPlan({ Test: ["CMD-SHELL", "curl -f http://localhost/"] })).toEqual({
    command: ["/bin/sh", "-c", "curl -f http://localhost/"],
    intervalMs: 30_000,
    timeoutMs: 30_000,
    retries: 3,
    startPeriodMs: 0,
    startIntervalMs: 30_000,
  });
  expect(healthPlan({ Test: ["CMD", "busybox", "true"], Interval: 2e8, Timeout: 1e9, Retries: 5, StartPeriod: 5e9 })).toMatchObject({
    command: ["busybox", "true"],
    intervalMs: 200,
    timeoutMs: 1000,
    retries: 5,
    startPeriodMs: 5000,
  });
  expect(healthPlan({ Test: ["NONE"] })).toBeNull();
  expect(healthPlan({})).toBeNull();
  expect(healthPlan(undefined)).toBeNull();
});

test("health follows docker's rules: success heals, retries failures in a row make it unhealthy, start-period failures do not count", () => {
  const plan = healthPlan({ Test: ["CMD", "check"], Retries: 2 })!;
  const health = { Status: "starting" as const, FailingStreak: 0, Log: [] };
  const inStart = nextHealth(health, probe(1), plan, true);
  expect([inStart.Status, inStart.FailingStreak, inStart.Log.length]).toEqual(["starting", 0, 1]);
  const healthy = nextHealth(inStart, probe(0), plan, false);
  expect([healthy.Status, healthy.FailingStreak]).toEqual(["healthy", 0]);
  const once = nextHealth(healthy, probe(1), plan, false);
  expect([once.Status, once.FailingStreak]).toEqual(["healthy", 1]);
  const twice = nextHealth(once, probe(1), plan, false);
  expect([twice.Status, twice.FailingStreak]).toEqual(["unhealthy", 2]);
  let long = twice;
  for (let i = 0; i < 10; i++) long = nextHealth(long, probe(0), plan, false);
  expect(long.Log.length).toBe(5);
});
