/**
 * agent: the worker role of a node — joining a swarm with a token (CA pinning, certificate issuing)
 * and the session to the managers (heartbeats). See README.md.
 */
export { Agent } from "./agent.ts";
export type { AgentDeps, JoinOptions, JoinOutcome, ManagerMembership } from "./agent.ts";
export { hasWorkerState } from "./agent-state.ts";
export type { WorkerState } from "./agent-state.ts";
export { GetRootCACertificate, Heartbeat, IssueManagerMaterial, IssueNodeCertificate } from "./swarm-protocol.ts";
export { AgentSession } from "./agent-session.ts";
export type { AgentSessionOptions } from "./agent-session.ts";
export { managerNodeAgentStarter } from "./manager-node-agent.ts";
export type { AssignedFile, TaskExecutor, TaskStatusReport } from "./task-executor.ts";
export { ContainerTaskExecutor } from "./executor/container-task-executor.ts";
export type { ContainerTaskExecutorOptions } from "./executor/container-task-executor.ts";
export { engineForTasks } from "./executor/task-engine.ts";
export type { TaskEngine } from "./executor/task-engine.ts";
export { TaskFiles } from "./executor/task-files.ts";
export type { TaskFileStore } from "./executor/task-files.ts";
