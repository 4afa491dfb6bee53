import { expect, test } from "bun:test";
import { RestartHistory } from "./restart-history.ts";

test("without a window, max attempts counts every restart of the spec version", () => {
  const history = new RestartHistory();
  const limit = { maxAttempts: 2, windowMs: 0 };
  expect(history.allows("svc", "slot:1", 5, limit, 1000)).toBe(true);
  history.record("svc", "slot:1", 5, 1000, false);
  history.record("svc", "slot:1", 5, 2000, false);
  expect(history.allows("svc", "slot:1", 5, limit, 100_000)).toBe(false);
  expect(history.allows("svc", "slot:2", 5, limit, 100_000)).toBe(true);
});

test("a new spec version starts counting over", () => {
  const history = new RestartHistory();
  const limit = { maxAttempts: 1, windowMs: 0 };
  history.record("svc", "slot:1", 5, 1000, false);
  expect(history.allows("svc", "slot:1", 5, limit, 2000)).toBe(false);
  expect(history.allows("svc", "slot:1", 6, limit, 2000)).toBe(true);
  history.record("svc", "slot:1", 6, 3000, false);
  expect(history.allows("svc", "slot:1", 6, limit, 4000)).toBe(false);
});

test("with a window, only restarts within it before the failure count", () => {
  const history = new RestartHistory();
  const limit = { maxAttempts: 2, windowMs: 10_000 };
  history.record("svc", "slot:1", 1, 1000, true);
  history.record("svc", "slot:1", 1, 5000, true);
  expect(history.allows("svc", "slot:1", 1, limit, 9000)).toBe(false);
  expect(history.allows("svc", "slot:1", 1, limit, 12_000)).toBe(true);
  // A failure reported as older than a recorded restart does not count that restart.
  history.record("svc", "slot:1", 1, 13_000, true);
  expect(history.allows("svc", "slot:1", 1, limit, 12_500)).toBe(true);
});

test("no limit always allows, and a removed service is forgotten", () => {
  const history = new RestartHistory();
  history.record("svc", "node:n1", 1, 1000, false);
  expect(history.allows("svc", "node:n1", 1, { maxAttempts: 0, windowMs: 0 }, 2000)).toBe(true);
  history.forgetService("svc");
  expect(history.knows("svc", "node:n1")).toBe(false);
});
