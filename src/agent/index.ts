/**
 * agent: the worker role of a node — joining a swarm with a token (CA pinning, certificate issuing)
 * and the session to the managers (heartbeats). See README.md.
 */
export { Agent } from "./agent.ts";
export type { AgentDeps, JoinOptions, JoinOutcome, ManagerMembership } from "./agent.ts";
export { hasWorkerState } from "./agent-state.ts";
export type { WorkerState } from "./agent-state.ts";
export { GetRootCACertificate, Heartbeat, IssueManagerMaterial, IssueNodeCertificate } from "./swarm-protocol.ts";
