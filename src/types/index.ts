/** types: the Docker Engine API object model shoal stores, serves and prints. */
export type * from "./system.ts";
export type * from "./swarm-meta.ts";
export type * from "./swarm-node.ts";
export type * from "./swarm-service.ts";
export type * from "./swarm-task.ts";
export type * from "./swarm-network.ts";
export type * from "./swarm-secret.ts";
export type * from "./swarm-cluster.ts";
export { serviceModeName } from "./swarm-service.ts";
export { TASK_STATES, compareTaskStates, isTaskState, isTerminalTaskState } from "./task-state.ts";
export type { TaskState } from "./task-state.ts";
export type * from "./task-assignment.ts";
export type * from "./task-logs.ts";
