import type { NodeInfo } from "../node-info.ts";
import type { TaskDemand } from "../task-demand.ts";

/**
 * One reason a node may refuse a task (SwarmKit's `Filter`, nomad's feasibility checkers). Each
 * explains its refusals in SwarmKit's words: that text is the task's ERROR in `docker service ps`.
 */
export interface Filter {
  /** True when the answer depends on the tasks placed on the node (resources, ports, counts), not only on the node. */
  readonly dynamic: boolean;
  /** True when the filter has something to check for `demand` (a task without constraints skips the constraint filter). */
  enabled(demand: TaskDemand): boolean;
  /** True when `node` may take a task with `demand`. */
  check(demand: TaskDemand, node: NodeInfo): boolean;
  /** Why the task did not fit, given how many nodes this filter refused. */
  explain(nodes: number): string;
}

/** "1 node" or "N nodes". */
export function nodeCount(nodes: number): string {
  return nodes === 1 ? "1 node" : `${nodes} nodes`;
}
