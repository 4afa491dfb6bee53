import type { RaftWireMessage as RaftMessage } from "../../../src/raft/raft-message.ts";
import type { MemberId } from "../../../src/raft/raft-types.ts";
import type { SimScheduler } from "./sim-scheduler.ts";

/** How unreliable the simulated network is. */
export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * A simulated network: each message is delayed at random (so messages reorder), sometimes
 * dropped or duplicated, and never crosses a partition. Delivery goes to whoever is registered
 * for the member at delivery time (a crashed member receives nothing).
 */
export class SimNetwork {
  readonly #scheduler: SimScheduler;
  readonly #random: () => number;
  faults: NetworkFaults;
  readonly #handlers = new Map<MemberId, (message: RaftMessage) => void>();
  /** Pairs that cannot talk: "a>b" blocks a → b (asymmetric partitions are possible). */
  readonly blocked = new Set<string>();
  sent = 0;
  delivered = 0;

  constructor(scheduler: SimScheduler, random: () => number, faults: NetworkFaults) {
    this.#scheduler = scheduler;
    this.#random = random;
    this.faults = faults;
  }

  attach(member: MemberId, handler: (message: RaftMessage) => void): void {
    this.#handlers.set(member, handler);
  }

  detach(member: MemberId): void {
    this.#handlers.delete(member);
  }

  /** Splits members into two sides that cannot reach each other. */
  partition(side: MemberId[], others: MemberId[], oneWay = false): void {
    for (const a of side) {
      for (const b of others) {
        this.blocked.add(`${a}>${b}`);
        if (!oneWay) this.blocked.add(`${b}>${a}`);
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  send(message: RaftMessage): void {
    this.sent++;
    if (this.#random() < this.faults.dropRate) return;
    const copies = this.#random() < this.faults.duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const delay = this.faults.minDelayMs + this.#random() * (this.faults.maxDelayMs - this.faults.minDelayMs);
      this.#scheduler.at(delay, () => {
        if (this.blocked.has(`${message.from}>${message.to}`)) return;
        const handler = this.#handlers.get(message.to);
        if (!handler) return;
        this.delivered++;
        handler(message);
      });
    }
  }
}
