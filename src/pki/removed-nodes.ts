/** The nodes removed from the swarm: their certificates stay cryptographically valid but are refused. */
export interface RemovedNodes {
  /** True when the node was removed and must not be let back in with its old certificate. */
  isRemoved(nodeId: string): boolean;
}

/** A {@link RemovedNodes} held in memory (the cluster store keeps the replicated list and feeds it here). */
export class InMemoryRemovedNodes implements RemovedNodes {
  readonly #ids: Set<string>;

  constructor(nodeIds: Iterable<string> = []) {
    this.#ids = new Set(nodeIds);
  }

  /** Adds a removed node. */
  add(nodeId: string): void {
    this.#ids.add(nodeId);
  }

  /** Forgets a removed node (its certificates have expired, so the entry is no longer needed). */
  delete(nodeId: string): void {
    this.#ids.delete(nodeId);
  }

  /** True when the node was added and not deleted since. */
  isRemoved(nodeId: string): boolean {
    return this.#ids.has(nodeId);
  }
}
