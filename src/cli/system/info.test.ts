import { afterEach, beforeEach, expect, test } from "bun:test";
import type { ClusterInfo, SwarmInfo } from "../../types/index.ts";
import { startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";
import { swarmSection } from "./info.ts";

const CLUSTER: ClusterInfo = {
  ID: "ohcpk36k4ebpo1dgv0j0ojbui",
  Version: { Index: 10 },
  CreatedAt: "2026-03-01T10:00:00Z",
  UpdatedAt: "2026-03-01T10:00:00Z",
  Spec: {
    Name: "default",
    Labels: {},
    Orchestration: { TaskHistoryRetentionLimit: 5 },
    Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
    Dispatcher: { HeartbeatPeriod: 5e9 },
    CAConfig: { NodeCertExpiry: 90 * 24 * 3600 * 1e9 },
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  },
  TLSInfo: { TrustRoot: "", CertIssuerSubject: "", CertIssuerPublicKey: "" },
  RootRotationInProgress: false,
  DataPathPort: 4789,
  DefaultAddrPool: ["10.0.0.0/8"],
  SubnetSize: 24,
} as ClusterInfo;

const MANAGER: SwarmInfo = {
  NodeID: "tolpos9w1fzor04oqvlz0glha",
  NodeAddr: "10.99.0.11",
  LocalNodeState: "active",
  ControlAvailable: true,
  Error: "",
  RemoteManagers: [
    { NodeID: "b", Addr: "10.99.0.12:2377" },
    { NodeID: "a", Addr: "10.99.0.11:2377" },
  ],
  Nodes: 3,
  Managers: 2,
  Cluster: CLUSTER,
};

test("a manager's Swarm section is docker's, line for line (the pool followed by two spaces, managers sorted)", () => {
  expect(swarmSection(MANAGER)).toBe(
    [
      " Swarm: active",
      "  NodeID: tolpos9w1fzor04oqvlz0glha",
      "  Is Manager: true",
      "  ClusterID: ohcpk36k4ebpo1dgv0j0ojbui",
      "  Managers: 2",
      "  Nodes: 3",
      "  Default Address Pool: 10.0.0.0/8  ",
      "  SubnetSize: 24",
      "  Data Path Port: 4789",
      "  Orchestration:",
      "   Task History Retention Limit: 5",
      "  Raft:",
      "   Snapshot Interval: 10000",
      "   Number of Old Snapshots to Retain: 0",
      "   Heartbeat Tick: 1",
      "   Election Tick: 10",
      "  Dispatcher:",
      "   Heartbeat Period: 5 seconds",
      "  CA Configuration:",
      "   Expiry Duration: 3 months",
      "   Force Rotate: 0",
      "  Autolock Managers: false",
      "  Root Rotation In Progress: false",
      "  Node Address: 10.99.0.11",
      "  Manager Addresses:",
      "   10.99.0.11:2377",
      "   10.99.0.12:2377",
      "",
    ].join("\n"),
  );
});

test("two pools are each followed by two spaces; no data path port line when it is 0", () => {
  const text = swarmSection({ ...MANAGER, Cluster: { ...CLUSTER, DefaultAddrPool: ["10.10.0.0/16", "10.20.0.0/16"], DataPathPort: 0 } });
  expect(text).toContain("  Default Address Pool: 10.10.0.0/16  10.20.0.0/16  \n  SubnetSize: 24\n  Orchestration:\n");
});

test("a worker shows no cluster settings, only its address and the managers", () => {
  const worker: SwarmInfo = { NodeID: "w", NodeAddr: "10.99.0.13", LocalNodeState: "active", ControlAvailable: false, Error: "", RemoteManagers: [{ NodeID: "a", Addr: "10.99.0.11:2377" }] };
  expect(swarmSection(worker)).toBe(" Swarm: active\n  NodeID: w\n  Is Manager: false\n  Node Address: 10.99.0.13\n  Manager Addresses:\n   10.99.0.11:2377\n");
});

test("a node in no swarm, or whose swarm failed to start, says so", () => {
  expect(swarmSection({ NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "", RemoteManagers: null })).toBe(" Swarm: inactive\n");
  const failed: SwarmInfo = { NodeID: "", NodeAddr: "", LocalNodeState: "error", ControlAvailable: false, Error: "no raft leader after 10 s", RemoteManagers: null };
  expect(swarmSection(failed)).toBe(" Swarm: error\n  NodeID: \n  Error: no raft leader after 10 s\n  Is Manager: false\n  Node Address: \n");
});

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  daemon.on("GET", "/info", () => ({ ID: "engine", Swarm: MANAGER }));
});
afterEach(async () => daemon.close());

test("info --format renders a template over the daemon's info; json prints all of it", async () => {
  const result = await runShoal(daemon.host, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}} {{.Swarm.Cluster.Spec.Orchestration.TaskHistoryRetentionLimit}}"]);
  expect([result.exitCode, result.stdout, result.stderr]).toEqual([0, "active true 3 5\n", ""]);
  const json = await runShoal(daemon.host, ["info", "-f", "json"]);
  expect(JSON.parse(json.stdout)).toEqual({ ID: "engine", Swarm: MANAGER });
  const broken = await runShoal(daemon.host, ["info", "--format", "{{.Swarm"]);
  expect(broken.exitCode).not.toBe(0);
  expect(broken.stderr).toStartWith("template parsing error: ");
});
