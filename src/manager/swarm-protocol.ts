import { ANY_NODE, ANYONE, streamMethod, unaryMethod } from "../transport/index.ts";
import type { AssignmentsMessage, NodeAvailability, Platform, Resources, TaskStatusReport } from "../types/index.ts";

/**
 * The RPCs between a node's agent and the managers (SwarmKit's `NodeCA`, `CA` and `Dispatcher`
 * services, reduced to what this slice needs). The agent declares the same methods on its side
 * (`agent/swarm-protocol.ts`); `swarm-protocol.test.ts` keeps the two in step.
 */

/** What a joining node sends with its CSR. */
export interface IssueNodeCertificateRequest {
  /** PKCS#10 PEM for the node's new key. */
  csrPem: string;
  /** `SWMTKN-1-…`: decides the role; a wrong or rotated one is refused. */
  token: string;
  availability?: NodeAvailability;
  hostname: string;
  platform: Platform;
  resources: Resources;
  engineVersion: string;
  /** The IP (or `ip:port`) managers see this node at. */
  advertiseAddr: string;
  /** `host:port` the other managers reach this node's raft at, should the token make it a manager. */
  managerAddr?: string;
}

/** A manager as the agents know it. */
export interface RemoteManager {
  NodeID: string;
  Addr: string;
}

/** The joined node's identity and whom to talk to. */
export interface IssueNodeCertificateResponse {
  nodeId: string;
  /** The node's certificate chain, PEM. */
  certificatePem: string;
  /** The swarm's root CA bundle, PEM. */
  rootCaPem: string;
  managers: RemoteManager[];
  /** The role the token gave (absent from older managers: worker). */
  role?: "worker" | "manager";
  /** To a manager only: the root CA's private key, so that it can sign node certificates too. */
  caKeyPem?: string;
  /** To a manager only: the raft data key that seals the raft log, snapshots and secrets. */
  dataKey?: Uint8Array;
}

/** Answer of {@link GetRootCACertificate}. */
export interface RootCaCertificateResponse {
  certificatePem: string;
}

/** A heartbeat: the node's certificate says who it is. */
export interface HeartbeatRequest {
  /** Sent once per session (the first heartbeat) and when it changes; updates the node's Description. */
  hostname?: string;
}

/** When to send the next heartbeat, and the managers to fail over to. */
export interface HeartbeatResponse {
  periodMs: number;
  managers: RemoteManager[];
  /** The node's role in the store (Spec.Role): "manager" tells a worker it was promoted (absent from older managers). */
  role?: "worker" | "manager";
}

/** A promoted worker asks for its manager material (its certificate says who it is). */
export interface IssueManagerMaterialRequest {
  /** PKCS#10 PEM for the node's new key (the manager certificate's). */
  csrPem: string;
  /** `host:port` the other managers reach this node's raft at. */
  managerAddr: string;
}

/** What a promoted worker needs to start its manager, as a node joining with the manager token gets it. */
export interface IssueManagerMaterialResponse {
  /** The node's manager certificate chain (same node ID), PEM. */
  certificatePem: string;
  rootCaPem: string;
  managers: RemoteManager[];
  caKeyPem: string;
  dataKey: Uint8Array;
}

/** The swarm's root CA bundle, for a joining node to pin against its token's digest. */
export const GetRootCACertificate = unaryMethod<Record<string, never>, RootCaCertificateResponse>("NodeCA.GetRootCACertificate", ANYONE);

/** A new node's certificate, against a join token. */
export const IssueNodeCertificate = unaryMethod<IssueNodeCertificateRequest, IssueNodeCertificateResponse>("NodeCA.IssueNodeCertificate", ANYONE);

/** The agent's liveness signal; the dispatcher marks the node ready, and down when they stop. */
export const Heartbeat = unaryMethod<HeartbeatRequest, HeartbeatResponse>("Dispatcher.Heartbeat", ANY_NODE);

/** Manager material for a node whose Spec.Role is manager (a promoted worker), over its mutual-TLS session. */
export const IssueManagerMaterial = unaryMethod<IssueManagerMaterialRequest, IssueManagerMaterialResponse>("NodeCA.IssueManagerMaterial", ANY_NODE);

/**
 * A node whose join failed after the manager recorded it (its manager could not start) takes its Node
 * back out, with the certificate the join gave it; the leader then removes it from raft.
 */
export const AbandonJoin = unaryMethod<Record<string, never>, Record<string, never>>("NodeCA.AbandonJoin", ANY_NODE);

/** The task status changes a node observed, in one batch. */
export interface UpdateTaskStatusRequest {
  updates: TaskStatusReport[];
}

/** Why an agent ends its session on purpose. */
export interface SessionEndingRequest {
  /** `restart`: the node's daemon stops and comes back (the usual heartbeat grace applies); `leave`: the node left the swarm (down at once). */
  reason: "restart" | "leave";
}

/** The tasks assigned to the calling node, and the secrets and configs they use: a complete set first, then changes. */
export const Assignments = streamMethod<Record<string, never>, AssignmentsMessage>("Dispatcher.Assignments", ANY_NODE);

/** Task status changes observed by the calling node. */
export const UpdateTaskStatus = unaryMethod<UpdateTaskStatusRequest, Record<string, never>>("Dispatcher.UpdateTaskStatus", ANY_NODE);

/** The calling node's agent stops on purpose (so that a closed session is not taken for a dead node). */
export const SessionEnding = unaryMethod<SessionEndingRequest, Record<string, never>>("Dispatcher.SessionEnding", ANY_NODE);
