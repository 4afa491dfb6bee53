/**
 * A swarm node as `docker node inspect` prints it (moby `api/types/swarm/node.go`).
 */
import type { Annotations, Platform, Resources, StoredObject } from "./swarm-meta.ts";

/** A node's role. */
export type NodeRole = "worker" | "manager";
/** Whether the scheduler may place tasks on a node. */
export type NodeAvailability = "active" | "pause" | "drain";
/** A node's membership: pending until its certificate is issued (SwarmKit's `NodeSpec.Membership`; the Engine API does not print it). */
export type NodeMembership = "pending" | "accepted";
/** What the managers observe of a node. */
export type NodeState = "unknown" | "down" | "ready" | "disconnected";
/** A manager's reachability as the raft leader sees it. */
export type Reachability = "unknown" | "unreachable" | "reachable";

/** What the user (or the role manager) wants of a node. */
export interface NodeSpec extends Partial<Annotations> {
  Role: NodeRole;
  Availability: NodeAvailability;
  Membership?: NodeMembership;
}

/** An engine plugin a node reports. */
export interface PluginDescription {
  Type: string;
  Name: string;
}

/** The engine running on a node. */
export interface EngineDescription {
  EngineVersion: string;
  Labels?: Record<string, string>;
  Plugins?: PluginDescription[];
}

/** The node's TLS trust as it reports it. */
export interface NodeTLSInfo {
  TrustRoot: string;
  CertIssuerSubject: string;
  CertIssuerPublicKey: string;
}

/** What the node's agent reports about itself. */
export interface NodeDescription {
  Hostname: string;
  Platform: Platform;
  Resources: Resources;
  Engine: EngineDescription;
  TLSInfo?: NodeTLSInfo;
  CSIInfo?: unknown[];
}

/** The node's status as managers see it. */
export interface NodeStatus {
  State: NodeState;
  Message?: string;
  Addr?: string;
}

/** A manager's place in the raft group. */
export interface ManagerStatus {
  Leader?: boolean;
  Reachability: Reachability;
  Addr: string;
}

/** A swarm node. */
export interface Node extends StoredObject {
  Spec: NodeSpec;
  Description?: NodeDescription;
  Status: NodeStatus;
  ManagerStatus?: ManagerStatus;
}
