import type { Node } from "../../types/index.ts";
import { ENGINE_LABEL_PREFIX, NODE_LABEL_PREFIX } from "./constraints.ts";
import { IndexedHeap, type HeapItem } from "./indexed-heap.ts";
import type { NodeInfo } from "./node-info.ts";
import type { Pipeline } from "./pipeline.ts";
import type { TaskDemand } from "./task-demand.ts";

/** A node in a leaf's heap, with its counts for the service copied out (they change only as this tree places tasks). */
interface NodeSlot extends HeapItem {
  readonly node: NodeInfo;
  serviceTasks: number;
  activeTasks: number;
}

/** One group of nodes sharing the values of the spread descriptors down to its level. */
interface Branch extends HeapItem {
  readonly value: string;
  /** Active tasks of the service on every node of the branch (eligible or not), as SwarmKit counts them. */
  tasks: number;
  readonly children: Map<string, Branch>;
  /** Children that may still have room, fewest tasks first; null on a leaf. */
  childHeap: IndexedHeap<Branch> | null;
  /** On a leaf: the nodes that took the task when the tree was built, best first (only the dynamic filters are checked again). */
  nodeHeap: IndexedHeap<NodeSlot> | null;
  readonly eligible: NodeSlot[];
}

/** The label a `spread=` descriptor names (`node.labels.<name>` or `engine.labels.<name>`); undefined for others, which SwarmKit ignores. */
export function spreadLabel(descriptor: string): { source: "node" | "engine"; name: string } | undefined {
  const lower = descriptor.toLowerCase();
  if (lower.length > NODE_LABEL_PREFIX.length && lower.startsWith(NODE_LABEL_PREFIX)) return { source: "node", name: descriptor.slice(NODE_LABEL_PREFIX.length) };
  if (lower.length > ENGINE_LABEL_PREFIX.length && lower.startsWith(ENGINE_LABEL_PREFIX)) return { source: "engine", name: descriptor.slice(ENGINE_LABEL_PREFIX.length) };
  return undefined;
}

/** The value of `node` for a spread label; "" when the node lacks it, so those nodes form one group. */
export function spreadValue(node: Node, label: { source: "node" | "engine"; name: string }): string {
  const labels = label.source === "node" ? node.Spec.Labels : node.Description?.Engine?.Labels;
  return labels?.[label.name] ?? "";
}

/**
 * Spreads the tasks of one group over the nodes (SwarmKit's decision tree): with placement
 * preferences, nodes are grouped by the value of each descriptor in turn and every task goes to the
 * branch with the fewest tasks of the service that still has room, level by level; within a leaf,
 * to the node with the fewest tasks of the service, then the fewest tasks, then the lowest ID.
 * Each placement costs O(levels · log(branches) + log(nodes)): counts are updated in place.
 */
export class SpreadTree {
  readonly #root: Branch;
  readonly #pipeline: Pipeline;
  readonly #serviceId: string;

  private constructor(root: Branch, pipeline: Pipeline, serviceId: string) {
    this.#root = root;
    this.#pipeline = pipeline;
    this.#serviceId = serviceId;
  }

  /** The tree of `nodes` for `demand`; leaves hold the nodes `pipeline` accepts now. */
  static build(nodes: readonly NodeInfo[], demand: TaskDemand, pipeline: Pipeline): SpreadTree {
    const serviceId = demand.serviceId;
    const labels = demand.spreadDescriptors.map(spreadLabel).filter((label) => label !== undefined);
    const root = newBranch("");
    for (const node of nodes) {
      const tasks = node.serviceTasks(serviceId);
      let branch = root;
      for (const label of labels) {
        branch.tasks += tasks;
        const value = spreadValue(node.node!, label);
        let child = branch.children.get(value);
        if (!child) branch.children.set(value, (child = newBranch(value)));
        branch = child;
      }
      branch.tasks += tasks;
      if (pipeline.passes(node)) branch.eligible.push({ node, serviceTasks: tasks, activeTasks: node.activeTasks, heapIndex: -1 });
    }
    const nodeLess = (a: NodeSlot, b: NodeSlot): boolean => {
      if (a.serviceTasks !== b.serviceTasks) return a.serviceTasks < b.serviceTasks;
      if (a.activeTasks !== b.activeTasks) return a.activeTasks < b.activeTasks;
      return a.node.id < b.node.id;
    };
    const branchLess = (a: Branch, b: Branch): boolean => (a.tasks !== b.tasks ? a.tasks < b.tasks : a.value < b.value);
    const finish = (branch: Branch): void => {
      if (branch.children.size === 0) {
        branch.nodeHeap = new IndexedHeap(nodeLess, branch.eligible);
        return;
      }
      for (const child of branch.children.values()) finish(child);
      branch.childHeap = new IndexedHeap(branchLess, branch.children.values());
    };
    finish(root);
    return new SpreadTree(root, pipeline, serviceId);
  }

  /** Picks the node for the next task and calls `assign` on it (which reserves the task there); undefined when no node takes it. */
  placeNext(assign: (node: NodeInfo) => void): NodeInfo | undefined {
    return this.#place(this.#root, assign);
  }

  #place(branch: Branch, assign: (node: NodeInfo) => void): NodeInfo | undefined {
    if (branch.nodeHeap) {
      for (let slot = branch.nodeHeap.peek(); slot; slot = branch.nodeHeap.peek()) {
        const node = slot.node;
        if (this.#pipeline.stillPasses(node)) {
          assign(node);
          slot.serviceTasks = node.serviceTasks(this.#serviceId);
          slot.activeTasks = node.activeTasks;
          branch.nodeHeap.update(slot);
          branch.tasks++;
          return node;
        }
        branch.nodeHeap.pop();
      }
      return undefined;
    }
    const children = branch.childHeap!;
    for (let child = children.peek(); child; child = children.peek()) {
      const node = this.#place(child, assign);
      if (node) {
        children.update(child);
        branch.tasks++;
        return node;
      }
      children.pop();
    }
    return undefined;
  }
}

function newBranch(value: string): Branch {
  return { value, tasks: 0, children: new Map(), childHeap: null, nodeHeap: null, eligible: [], heapIndex: -1 };
}
