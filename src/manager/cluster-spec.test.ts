import { expect, test } from "bun:test";
import { defaultSwarmSpec, initialSwarmSpec } from "./cluster-spec.ts";

test("zero or missing fields keep SwarmKit's defaults; set ones win", () => {
  expect(initialSwarmSpec(null, false)).toEqual(defaultSwarmSpec());
  const spec = initialSwarmSpec({ Orchestration: { TaskHistoryRetentionLimit: 2 }, Dispatcher: { HeartbeatPeriod: 0 }, CAConfig: { NodeCertExpiry: 24 * 3600e9 } }, false);
  expect(spec.Orchestration.TaskHistoryRetentionLimit).toBe(2);
  expect(spec.Dispatcher.HeartbeatPeriod).toBe(5e9);
  expect(spec.CAConfig.NodeCertExpiry).toBe(24 * 3600e9);
});

test("a spec docker would refuse is refused", () => {
  expect(() => initialSwarmSpec({ Name: "prod" }, false)).toThrow('swarm spec must be named "default"');
  expect(() => initialSwarmSpec({ CAConfig: { NodeCertExpiry: 60e9 } }, false)).toThrow("minimum certificate expiry time is 1h0m0s");
  expect(() => initialSwarmSpec({ Raft: { ElectionTick: 1, HeartbeatTick: 2 } }, false)).toThrow("ElectionTick must be greater than HeartbeatTick");
});
