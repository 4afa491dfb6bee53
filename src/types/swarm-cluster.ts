/**
 * The cluster object (`GET /swarm`): its settings, TLS identity and join tokens (moby `api/types/swarm/swarm.go`).
 */
import type { ClusterInfo } from "./system.ts";

/** The secrets workers and managers join with. */
export interface JoinTokens {
  Worker: string;
  Manager: string;
}

/** The swarm itself, as `GET /swarm` returns it; the store keeps exactly one, named "default". */
export interface Swarm extends ClusterInfo {
  JoinTokens: JoinTokens;
  /**
   * Stored only, never returned by the API (SwarmKit's `Cluster.UnlockKeys`): the managers' unlock key
   * (`SWMKEY-1-…`) while autolock is on; every manager seals its keys on disk with it.
   */
  UnlockKeys?: { Subsystem: "manager"; Key: string }[];
}
