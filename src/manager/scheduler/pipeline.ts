import { constraintFilter } from "./filters/constraint-filter.ts";
import type { Filter } from "./filters/filter.ts";
import { hostPortFilter } from "./filters/host-port-filter.ts";
import { maxReplicasFilter } from "./filters/max-replicas-filter.ts";
import { platformFilter } from "./filters/platform-filter.ts";
import { readyFilter } from "./filters/ready-filter.ts";
import { resourceFilter } from "./filters/resource-filter.ts";
import type { NodeInfo } from "./node-info.ts";
import type { TaskDemand } from "./task-demand.ts";

/** The filters, in the order they run (readiness first, as SwarmKit's pipeline). */
export const FILTERS: readonly Filter[] = [readyFilter, resourceFilter, constraintFilter, platformFilter, hostPortFilter, maxReplicasFilter];

/** The filters that apply to one demand, run against nodes one at a time (SwarmKit's `Pipeline`). */
export class Pipeline {
  readonly #demand: TaskDemand;
  readonly #filters: readonly Filter[];
  readonly #dynamic: readonly Filter[];

  constructor(demand: TaskDemand, filters: readonly Filter[] = FILTERS) {
    this.#demand = demand;
    this.#filters = filters.filter((filter) => filter.enabled(demand));
    this.#dynamic = this.#filters.filter((filter) => filter.dynamic);
  }

  /** True when every filter lets `node` take the task. */
  passes(node: NodeInfo): boolean {
    return this.#firstRefusal(node) < 0;
  }

  /** True when the filters that depend on the tasks placed let `node` take the task: enough for a node that passed them all before. */
  stillPasses(node: NodeInfo): boolean {
    for (const filter of this.#dynamic) if (!filter.check(this.#demand, node)) return false;
    return true;
  }

  /**
   * Why no node of `nodes` takes the task: for each filter, the nodes it refused first, most refusals
   * first, joined with "; " — "insufficient resources on 3 nodes; 1 node not available for new tasks".
   * Empty when some node takes it (or there are no nodes).
   */
  explain(nodes: Iterable<NodeInfo>): string {
    const refusals = new Array<number>(this.#filters.length).fill(0);
    for (const node of nodes) {
      const refusal = this.#firstRefusal(node);
      if (refusal < 0) return "";
      refusals[refusal]!++;
    }
    return this.#filters
      .map((filter, index) => ({ filter, count: refusals[index]! }))
      .filter((entry) => entry.count > 0)
      .sort((a, b) => b.count - a.count)
      .map((entry) => entry.filter.explain(entry.count))
      .join("; ");
  }

  #firstRefusal(node: NodeInfo): number {
    for (let index = 0; index < this.#filters.length; index++) {
      if (!this.#filters[index]!.check(this.#demand, node)) return index;
    }
    return -1;
  }
}

/** The task error of a task no node takes: "no suitable node (…)" (SwarmKit's words). */
export function noSuitableNode(explanation: string): string {
  return explanation ? `no suitable node (${explanation})` : "no suitable node";
}
