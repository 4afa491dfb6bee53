import { toShoalError, type Logger } from "../lib/index.ts";
import type { ClusterStore, StoreWatch } from "../store/index.ts";
import { sealManagerSecrets } from "./manager-secrets.ts";
import { clusterUnlockKey } from "./unlock-keys.ts";

/** Options of {@link ManagerLock}. */
export interface ManagerLockOptions {
  dataRoot: string;
  store: ClusterStore;
  clusterId: string;
  /** The raft data key: the root CA key is sealed with it while autolock is on. */
  dataKey: Uint8Array;
  /** The unlock key this manager's keys on disk are sealed with now (null: in clear). */
  unlockKey: string | null;
  logger: Logger;
}

/**
 * Keeps this manager's keys on disk sealed with the cluster's unlock key (SwarmKit's `updateKEK`). The unlock key
 * lives in the replicated cluster object (`UnlockKeys`, managers only), so every manager sees autolock turned on
 * or off and every rotation, and re-seals its own node key, raft data key and root CA key
 * ({@link sealManagerSecrets}) when the cluster's key differs from the one its files are sealed with. It compares
 * on start (a manager that was away while the key changed catches up once unlocked with its old key) and after
 * every change to the cluster object; a failed re-seal is logged and tried again on the next change.
 */
export class ManagerLock {
  readonly #options: ManagerLockOptions;
  readonly #log: Logger;
  #sealedWith: string | null;
  #watch: StoreWatch<unknown> | null = null;
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: ManagerLockOptions) {
    this.#options = options;
    this.#sealedWith = options.unlockKey;
    this.#log = options.logger.with({ module: "manager-lock" });
  }

  /** The unlock key this manager's keys on disk are sealed with (null: in clear). */
  get unlockKey(): string | null {
    return this.#sealedWith;
  }

  /** Compares now, then after every change to the cluster object. */
  start(): void {
    if (this.#watch || this.#stopped) return;
    const watch = this.#options.store.watch({ table: "cluster" });
    this.#watch = watch;
    void this.reconcile();
    void (async () => {
      for await (const _event of watch) void this.reconcile();
    })().catch((error) => this.#log.warn("stopped following the cluster's unlock key", { error: toShoalError(error).message }));
  }

  /** Re-seals when the cluster's unlock key is not the one on disk; resolves once this (and any earlier) pass is done. */
  reconcile(): Promise<void> {
    this.#queue = this.#queue
      .then(() => this.#reconcileOnce())
      .catch((error) => this.#log.error("cannot re-seal this manager's keys with the cluster's unlock key; will try again on the next change", { error: toShoalError(error).message }));
    return this.#queue;
  }

  /** Stops following the cluster; waits for a re-seal under way. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watch?.close();
    await this.#queue;
  }

  async #reconcileOnce(): Promise<void> {
    if (this.#stopped) return;
    const { store, clusterId, dataRoot, dataKey } = this.#options;
    const cluster = store.view((tx) => tx.get("cluster", clusterId));
    if (!cluster) return; // a joining manager before the cluster object has arrived
    const from = this.#sealedWith;
    const to = clusterUnlockKey(cluster);
    await sealManagerSecrets(dataRoot, from, to, dataKey);
    this.#sealedWith = to;
    if (from === to) return;
    if (to === null) this.#log.info("autolock is off: this manager's keys are stored in clear");
    else if (from === null) this.#log.info("autolock is on: this manager's keys are sealed with the unlock key");
    else this.#log.info("the unlock key was rotated: this manager's keys are sealed with the new one");
  }
}
