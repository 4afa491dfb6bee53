/**
 * manager: the manager role — the cluster store replicated by raft over the managers' mTLS transport,
 * and the swarm's identity (root CA, certificates, join tokens). See README.md.
 */
export { Manager } from "./manager.ts";
export type { LocalNodeFacts, ManagerDeps, ManagerInitOptions, ManagerJoinOptions, NodeAgentHandle, NodeAgentIdentity, NodeAgentStart } from "./manager.ts";
export { defaultSwarmSpec, initialSwarmSpec } from "./cluster-spec.ts";
export type { RequestedSwarmSpec } from "./cluster-spec.ts";
export { DEFAULT_LISTEN_ADDR, DEFAULT_SWARM_PORT, resolveSwarmAddresses } from "./swarm-addresses.ts";
export type { AddressRequest, InterfaceAddresses, SwarmAddresses } from "./swarm-addresses.ts";
export { NODE_FILTERS, filterNodes } from "./node-filters.ts";
export { SWARM_DIR, hasSwarmState, swarmDir } from "./manager-state.ts";
export { isManagerLocked } from "./manager-secrets.ts";
export { lockedSwarmInfo, unlockRefusal } from "./locked-manager.ts";
export { ManagerLock } from "./manager-lock.ts";
export type { ManagerLockOptions } from "./manager-lock.ts";
export {
  INVALID_KEY_PROVIDED_MESSAGE,
  INVALID_KEY_STRING_MESSAGE,
  LOCKED_LEAVE_MESSAGE,
  SWARM_NOT_LOCKED_MESSAGE,
  checkUnlockKeyText,
  clusterUnlockKey,
  invalidUnlockKeyError,
  isUnlockKeyRefusal,
  nextUnlockKeys,
} from "./unlock-keys.ts";
export { RaftProposeForward, RaftStep } from "./raft-link.ts";
export { RaftMembership } from "./raft-membership.ts";
export type { RaftMembershipOptions } from "./raft-membership.ts";
export { tlsInfoOf } from "./tls-info.ts";
export { ALREADY_IN_SWARM_MESSAGE, LEAVE_LAST_MANAGER_MESSAGE, NOT_A_MANAGER_MESSAGE, NOT_IN_SWARM_MESSAGE, WORKER_NOT_MANAGER_MESSAGE } from "./swarm-messages.ts";
export { CaServer, MANAGER_JOIN_UNSUPPORTED_MESSAGE } from "./ca-server.ts";
export type { CaServerOptions } from "./ca-server.ts";
export { Dispatcher, HEARTBEAT_FAILURE_MESSAGE, HEARTBEAT_GRACE_PERIODS } from "./dispatcher.ts";
export type { DispatcherOptions } from "./dispatcher.ts";
export { AbandonJoin, Assignments, GetRootCACertificate, Heartbeat, IssueManagerMaterial, IssueNodeCertificate, SessionEnding, UpdateTaskStatus } from "./swarm-protocol.ts";
export type { HeartbeatRequest, HeartbeatResponse, IssueManagerMaterialRequest, IssueManagerMaterialResponse, IssueNodeCertificateRequest, IssueNodeCertificateResponse, RemoteManager, RootCaCertificateResponse, SessionEndingRequest, UpdateTaskStatusRequest } from "./swarm-protocol.ts";
export { clusterEventOf } from "./cluster-events.ts";
export type { ClusterEvent } from "./cluster-events.ts";
export { MANUAL_ROLLBACK_MESSAGE, MODE_CHANGE_MESSAGE, RENAME_MESSAGE, ServiceControl } from "./service-control.ts";
export type { ServiceCreateResult, ServiceUpdateOptions, ServiceUpdateResult } from "./service-control.ts";
export { SecretControl } from "./secret-control.ts";
export type { PayloadCreateResult } from "./secret-control.ts";
export { ConfigControl } from "./config-control.ts";
export { SERVICE_FILTERS } from "./service-spec/service-filters.ts";
export { TASK_FILTERS, taskName } from "./service-spec/task-filters.ts";
export { ListenSubscriptions, PublishLogs, SubscribeLogs } from "./log-protocol.ts";
export type { LogBatch, PublishLogsRequest } from "./log-protocol.ts";
export { unavailableNodeWarning } from "./log-broker.ts";
