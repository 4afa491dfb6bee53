import { toShoalError, type Clock, type Logger, type Timer } from "../../lib/index.ts";
import type { ChangeEvent, ClusterStore, CommitEvent, ReadTx, StoreWatch, SwarmTables, TableName } from "../../store/index.ts";

/** A committed change to one of the swarm's tables. */
export type SwarmChange = ChangeEvent<SwarmTables>;

/**
 * One orchestration component as a {@link StoreLoop} drives it: it keeps its own notes from store
 * events and acts on them once per commit.
 */
export interface Reconciler {
  /** The tables whose changes the component hears of. */
  readonly tables: readonly TableName<SwarmTables>[];
  /** Starts over from a consistent read: forget everything noted, note everything worth a look. */
  init(tx: ReadTx<SwarmTables>): void;
  /** Notes one committed change (synchronous; writes wait for the tick). */
  handle(event: SwarmChange): void;
  /** Acts on what was noted since the last tick. A failure keeps the notes for the next tick. */
  tick(): Promise<void>;
}

/** How long a loop waits before ticking again after a tick failed (when no commit wakes it earlier). */
const RETRY_MS = 1000;

/**
 * Runs a {@link Reconciler} against the store the way every manager loop runs (SwarmKit's
 * orchestrators): one view and watch taken in one step, `init` on the view, a tick, then `handle` for
 * each event and a tick after each commit. Ticks never overlap: commits that arrive during a tick
 * fold into one more tick after it. A watch that fell behind (resource_exhausted) starts over from a
 * fresh read. A failing event or tick is logged, never fatal.
 */
export class StoreLoop {
  readonly #store: ClusterStore;
  readonly #reconciler: Reconciler;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #queueLimit: number | undefined;
  #abort: AbortController | null = null;
  #running: Promise<void> = Promise.resolve();
  #ticking: Promise<void> = Promise.resolve();
  #busy = false;
  #again = false;
  #retry: Timer | null = null;

  /** `queueLimit`: events the loop may fall behind by before it starts over (the store's default unless given). */
  constructor(options: { store: ClusterStore; reconciler: Reconciler; clock: Clock; logger: Logger; queueLimit?: number }) {
    this.#store = options.store;
    this.#reconciler = options.reconciler;
    this.#clock = options.clock;
    this.#log = options.logger;
    this.#queueLimit = options.queueLimit;
  }

  /** Starts the loop (no-op while it runs). */
  start(): void {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#running = this.#run(abort.signal);
  }

  /** Stops the loop and waits for its tick in progress; idempotent. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    this.#abort = null;
    this.#retry?.cancel();
    this.#retry = null;
    await this.#running;
    await this.#ticking;
  }

  /** Asks for a tick outside the commit rhythm (a timer of the component fired). */
  kick(): void {
    if (!this.#abort) return;
    this.#again = true;
    if (this.#busy) return;
    this.#busy = true;
    this.#ticking = this.#tickUntilQuiet(this.#abort.signal);
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let watch: StoreWatch<SwarmChange | CommitEvent>;
      try {
        [, watch] = this.#store.viewAndWatch((tx) => this.#reconciler.init(tx), {
          table: this.#reconciler.tables,
          kinds: ["create", "update", "delete", "commit"],
          signal,
          ...(this.#queueLimit !== undefined ? { queueLimit: this.#queueLimit } : {}),
        });
      } catch (error) {
        this.#log.error("cannot read the store; loop stopped", { error: toShoalError(error).message });
        return;
      }
      this.kick();
      try {
        for await (const event of watch) {
          if (event.kind === "commit") this.kick();
          else this.#handle(event);
        }
        return;
      } catch (error) {
        const failure = toShoalError(error);
        if (signal.aborted) return;
        if (failure.code !== "resource_exhausted") {
          this.#log.error("store watch ended; loop stopped", { error: failure.message });
          return;
        }
        this.#log.warn("fell behind the store; reading it again", { error: failure.message });
      }
    }
  }

  #handle(event: SwarmChange): void {
    try {
      this.#reconciler.handle(event);
    } catch (error) {
      this.#log.error("cannot handle a store event", { table: event.table, kind: event.kind, "object.id": event.object.ID, error: toShoalError(error).message });
    }
  }

  async #tickUntilQuiet(signal: AbortSignal): Promise<void> {
    try {
      while (this.#again && !signal.aborted) {
        this.#again = false;
        try {
          await this.#reconciler.tick();
        } catch (error) {
          if (signal.aborted) return;
          this.#log.warn("reconciliation failed; will retry", { error: toShoalError(error).message });
          this.#armRetry();
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  #armRetry(): void {
    if (this.#retry) return;
    this.#retry = this.#clock.setTimeout(() => {
      this.#retry = null;
      this.kick();
    }, RETRY_MS);
  }
}
