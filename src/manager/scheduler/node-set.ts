import type { Node } from "../../types/index.ts";
import { NodeInfo, type Reservation } from "./node-info.ts";

/**
 * Every node the scheduler knows and the reservations of the tasks placed on them, indexed by task
 * so that a task's reservation moves or goes in O(1). Reservations naming a node the store does not
 * have (yet, or any more) are kept aside on a node-less {@link NodeInfo}, never offered for placement.
 */
export class NodeSet {
  readonly #infos = new Map<string, NodeInfo>();
  /** Task ID → the node holding its reservation. */
  readonly #placedOn = new Map<string, NodeInfo>();
  /** Known nodes ordered by ID, rebuilt after a node comes or goes. */
  #ordered: NodeInfo[] | null = null;

  /** Nodes the store has, ordered by ID. */
  nodes(): readonly NodeInfo[] {
    this.#ordered ??= [...this.#infos.values()].filter((info) => info.node !== undefined).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.#ordered;
  }

  /** The node with this ID, if the store has it. */
  get(nodeId: string): NodeInfo | undefined {
    const info = this.#infos.get(nodeId);
    return info?.node ? info : undefined;
  }

  /** Adds a node or replaces its object (its reservations stay). */
  setNode(node: Node): void {
    const info = this.#infos.get(node.ID);
    if (info) {
      if (!info.node) this.#ordered = null;
      info.node = node;
    } else {
      this.#infos.set(node.ID, new NodeInfo(node.ID, node));
      this.#ordered = null;
    }
  }

  /** Forgets a node; the reservations of tasks still naming it are kept aside until they go. */
  removeNode(nodeId: string): void {
    const info = this.#infos.get(nodeId);
    if (!info?.node) return;
    info.node = undefined;
    this.#ordered = null;
    if (info.size === 0) this.#infos.delete(nodeId);
  }

  /** Records that `taskId` holds `reservation` on `nodeId`, moving it from wherever it was. */
  reserve(taskId: string, nodeId: string, reservation: Reservation): void {
    this.release(taskId);
    let info = this.#infos.get(nodeId);
    if (!info) this.#infos.set(nodeId, (info = new NodeInfo(nodeId)));
    info.add(taskId, reservation);
    this.#placedOn.set(taskId, info);
  }

  /** Drops the reservation of `taskId`; returns it (and where it was), or undefined. */
  release(taskId: string): { nodeId: string; reservation: Reservation } | undefined {
    const info = this.#placedOn.get(taskId);
    if (!info) return undefined;
    this.#placedOn.delete(taskId);
    const reservation = info.remove(taskId)!;
    if (!info.node && info.size === 0) this.#infos.delete(info.id);
    return { nodeId: info.id, reservation };
  }

  /** Where `taskId` holds a reservation, if anywhere. */
  placement(taskId: string): { nodeId: string; reservation: Reservation } | undefined {
    const info = this.#placedOn.get(taskId);
    return info ? { nodeId: info.id, reservation: info.reservation(taskId)! } : undefined;
  }

  /** Number of tasks holding a reservation. */
  get reservations(): number {
    return this.#placedOn.size;
  }
}
