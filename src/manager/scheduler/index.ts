/**
 * scheduler: takes pending tasks to a node — filters (readiness, resources, constraints, platform,
 * host ports, max replicas per node), spread with placement preferences, batched writes. See README.md.
 */
export { Scheduler, DEFAULT_TICK_MS } from "./scheduler.ts";
export type { SchedulerOptions } from "./scheduler.ts";
export { parseConstraints, matchesConstraints } from "./constraints.ts";
export type { Constraint, ConstraintOperator } from "./constraints.ts";
export { planPlacements, placeTasks } from "./place-tasks.ts";
export type { PlacementDecision, PlacementInput, PlacementRequest } from "./place-tasks.ts";
export { ASSIGNED_MESSAGE, PREASSIGNED_MESSAGE } from "./decision-writer.ts";
