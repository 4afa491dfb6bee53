import { ShoalError } from "../lib/index.ts";
import { DEFAULT_NODE_CERT_VALIDITY_MS, MIN_NODE_CERT_VALIDITY_MS } from "../pki/index.ts";
import type { SwarmSpec } from "../types/index.ts";

/** Nanoseconds per millisecond: Engine API durations are integer nanoseconds. */
const NS_PER_MS = 1_000_000;

/** A SwarmSpec as `swarm init` sends it: any field may be missing or zero (meaning "the default"). */
export type RequestedSwarmSpec = {
  [K in keyof SwarmSpec]?: SwarmSpec[K] extends Record<string, unknown> ? Partial<SwarmSpec[K]> | null : SwarmSpec[K] | null;
};

/** The settings of a new swarm, SwarmKit's defaults (`api/defaults`, `ca.DefaultNodeCertExpiration`). */
export function defaultSwarmSpec(): SwarmSpec {
  return {
    Name: "default",
    Labels: {},
    Orchestration: { TaskHistoryRetentionLimit: 5 },
    Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
    Dispatcher: { HeartbeatPeriod: 5000 * NS_PER_MS },
    CAConfig: { NodeCertExpiry: DEFAULT_NODE_CERT_VALIDITY_MS * NS_PER_MS },
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  };
}

/** Fields set to a positive number win; zero or absent keep the default, as moby's init does. */
function positive(value: unknown, fallback: number, field: string): number {
  if (value === undefined || value === null || value === 0) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new ShoalError("invalid_argument", `invalid swarm spec: ${field} must be a non-negative integer`);
  return value;
}

/** The spec of a new swarm: what the request sets over the defaults, checked. */
export function initialSwarmSpec(requested: RequestedSwarmSpec | null | undefined, autoLockManagers: boolean): SwarmSpec {
  const spec = defaultSwarmSpec();
  const asked = requested ?? {};
  if (asked.Name && asked.Name !== "default") throw new ShoalError("invalid_argument", 'swarm spec must be named "default"');
  const raft = asked.Raft ?? {};
  const ca = asked.CAConfig ?? {};
  const certExpiry = positive(ca.NodeCertExpiry, spec.CAConfig.NodeCertExpiry, "CAConfig.NodeCertExpiry");
  if (certExpiry < MIN_NODE_CERT_VALIDITY_MS * NS_PER_MS) throw new ShoalError("invalid_argument", "minimum certificate expiry time is 1h0m0s");
  if (ca.ExternalCAs?.length || ca.SigningCACert || ca.SigningCAKey) {
    throw new ShoalError("unimplemented", "external CAs and a given signing CA are not supported yet: init without --external-ca, --ca-cert and --ca-key");
  }
  const electionTick = positive(raft.ElectionTick, spec.Raft.ElectionTick, "Raft.ElectionTick");
  const heartbeatTick = positive(raft.HeartbeatTick, spec.Raft.HeartbeatTick, "Raft.HeartbeatTick");
  if (electionTick <= heartbeatTick) throw new ShoalError("invalid_argument", "ElectionTick must be greater than HeartbeatTick");
  return {
    ...spec,
    Labels: { ...((asked.Labels ?? {}) as Record<string, string>) },
    Orchestration: {
      TaskHistoryRetentionLimit: positive(asked.Orchestration?.TaskHistoryRetentionLimit, spec.Orchestration.TaskHistoryRetentionLimit, "Orchestration.TaskHistoryRetentionLimit"),
    },
    Raft: {
      SnapshotInterval: positive(raft.SnapshotInterval, spec.Raft.SnapshotInterval, "Raft.SnapshotInterval"),
      KeepOldSnapshots: positive(raft.KeepOldSnapshots, 0, "Raft.KeepOldSnapshots"),
      LogEntriesForSlowFollowers: positive(raft.LogEntriesForSlowFollowers, spec.Raft.LogEntriesForSlowFollowers, "Raft.LogEntriesForSlowFollowers"),
      ElectionTick: electionTick,
      HeartbeatTick: heartbeatTick,
    },
    Dispatcher: { HeartbeatPeriod: positive(asked.Dispatcher?.HeartbeatPeriod, spec.Dispatcher.HeartbeatPeriod, "Dispatcher.HeartbeatPeriod") },
    CAConfig: { NodeCertExpiry: certExpiry },
    TaskDefaults: asked.TaskDefaults?.LogDriver ? { LogDriver: asked.TaskDefaults.LogDriver } : {},
    EncryptionConfig: { AutoLockManagers: autoLockManagers },
  };
}

/** The node certificate validity a spec asks for, in milliseconds. */
export function nodeCertValidityMs(spec: SwarmSpec): number {
  return Math.floor(spec.CAConfig.NodeCertExpiry / NS_PER_MS);
}

/**
 * The spec after `swarm update` (the docker CLI sends the whole spec it read, with its changes):
 * checked as at init, missing fields kept (autolock too).
 */
export function mergeClusterSpecUpdate(current: SwarmSpec, requested: Record<string, unknown>): SwarmSpec {
  const asked = requested as RequestedSwarmSpec;
  const autolock = asked.EncryptionConfig?.AutoLockManagers ?? current.EncryptionConfig.AutoLockManagers;
  return initialSwarmSpec({ ...(current as RequestedSwarmSpec), ...asked, Name: asked.Name ?? current.Name }, autolock);
}
