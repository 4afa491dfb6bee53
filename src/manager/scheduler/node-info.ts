import type { Node } from "../../types/index.ts";

/** What one task placed on a node holds there. */
export interface Reservation {
  readonly serviceId: string;
  readonly nanoCPUs: number;
  readonly memoryBytes: number;
  /** Host-mode published ports, as `protocol/port`. */
  readonly hostPorts: readonly string[];
  /** Counts toward the node's task counts (its desired state is `complete` or earlier); a task being stopped still holds its resources and ports. */
  readonly active: boolean;
}

/**
 * A node as the scheduler sees it (SwarmKit's `NodeInfo`): the node object and what the tasks placed
 * on it hold, kept up to date one reservation at a time so that no decision rescans tasks.
 * `node` is undefined while the store has no such node (tasks may still name it).
 */
export class NodeInfo {
  readonly id: string;
  node: Node | undefined;
  /** Active tasks on the node. */
  activeTasks = 0;
  reservedNanoCPUs = 0;
  reservedMemoryBytes = 0;
  readonly #reservations = new Map<string, Reservation>();
  readonly #activeByService = new Map<string, number>();
  /** `protocol/port` → number of tasks publishing it (more than one only when forced on the node). */
  readonly #hostPorts = new Map<string, number>();

  constructor(id: string, node?: Node) {
    this.id = id;
    this.node = node;
  }

  /** CPU left for new reservations (negative when over-committed by preassigned tasks). */
  get availableNanoCPUs(): number {
    return (this.node?.Description?.Resources?.NanoCPUs ?? 0) - this.reservedNanoCPUs;
  }

  /** Memory left for new reservations. */
  get availableMemoryBytes(): number {
    return (this.node?.Description?.Resources?.MemoryBytes ?? 0) - this.reservedMemoryBytes;
  }

  /** Number of reservations (tasks placed here, active or not). */
  get size(): number {
    return this.#reservations.size;
  }

  /** Active tasks of `serviceId` on the node. */
  serviceTasks(serviceId: string): number {
    return this.#activeByService.get(serviceId) ?? 0;
  }

  /** True when a task on the node publishes `port` (`protocol/port`) in host mode. */
  usesHostPort(port: string): boolean {
    return this.#hostPorts.has(port);
  }

  reservation(taskId: string): Reservation | undefined {
    return this.#reservations.get(taskId);
  }

  /** Records `reservation` for `taskId`, replacing the one it had here. */
  add(taskId: string, reservation: Reservation): void {
    this.remove(taskId);
    this.#reservations.set(taskId, reservation);
    this.reservedNanoCPUs += reservation.nanoCPUs;
    this.reservedMemoryBytes += reservation.memoryBytes;
    for (const port of reservation.hostPorts) this.#hostPorts.set(port, (this.#hostPorts.get(port) ?? 0) + 1);
    if (reservation.active) {
      this.activeTasks++;
      this.#activeByService.set(reservation.serviceId, this.serviceTasks(reservation.serviceId) + 1);
    }
  }

  /** Drops the reservation of `taskId`; returns it, or undefined when it had none here. */
  remove(taskId: string): Reservation | undefined {
    const reservation = this.#reservations.get(taskId);
    if (!reservation) return undefined;
    this.#reservations.delete(taskId);
    this.reservedNanoCPUs -= reservation.nanoCPUs;
    this.reservedMemoryBytes -= reservation.memoryBytes;
    for (const port of reservation.hostPorts) {
      const users = this.#hostPorts.get(port)! - 1;
      if (users > 0) this.#hostPorts.set(port, users);
      else this.#hostPorts.delete(port);
    }
    if (reservation.active) {
      this.activeTasks--;
      const left = this.serviceTasks(reservation.serviceId) - 1;
      if (left > 0) this.#activeByService.set(reservation.serviceId, left);
      else this.#activeByService.delete(reservation.serviceId);
    }
    return reservation;
  }
}
