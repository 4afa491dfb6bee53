import { toShoalError, type Clock, type Logger, type Timer } from "../../lib/index.ts";
import type { ClusterStore, CommitEvent, StoreWatch } from "../../store/index.ts";
import { DEFAULT_BATCH_SIZE, DecisionWriter } from "./decision-writer.ts";
import { SCHEDULER_TABLES, SchedulerState, type SchedulerEvent } from "./scheduler-state.ts";

/** How long changes are collected before one scheduling pass, by default (SwarmKit debounces 50 ms). */
export const DEFAULT_TICK_MS = 25;
/** How long the scheduler waits before deciding again after a write failed. */
export const WRITE_RETRY_MS = 500;
/** Events the scheduler may fall behind by before it reads the store again (its own writes come back as events). */
export const SCHEDULER_WATCH_QUEUE_LIMIT = 250_000;

/** What a {@link Scheduler} needs. */
export interface SchedulerOptions {
  store: ClusterStore;
  clock: Clock;
  logger: Logger;
  /** Milliseconds of changes collected before one pass (default {@link DEFAULT_TICK_MS}). */
  tickMs?: number;
  /** Decisions per store transaction (default {@link DEFAULT_BATCH_SIZE}). */
  batchSize?: number;
  /** Store events the scheduler may fall behind by before it reads the store again (default {@link SCHEDULER_WATCH_QUEUE_LIMIT}). */
  watchQueueLimit?: number;
}

/**
 * The swarm's scheduler (SwarmKit's `manager/scheduler`): takes pending tasks to `assigned` on a node
 * that passes every filter, spreading them (see README.md). Runs on the raft leader only. One shape
 * with the other manager loops: it reads the store and watches it in one step, keeps its own view
 * from the events, decides in passes at most every tick, writes the decisions in large transactions,
 * and never writes while a previous write is in progress.
 */
export class Scheduler {
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #tickMs: number;
  readonly #watchQueueLimit: number;
  readonly #writer: DecisionWriter;
  readonly #state = new SchedulerState();
  #abort: AbortController | null = null;
  #running: Promise<void> = Promise.resolve();
  #writing: Promise<void> | null = null;
  #timer: Timer | null = null;
  /** No pass before this time (ms on the clock): a write failed. */
  #pausedUntil = 0;
  /** The watch being read; closed to start over from a fresh read after an unexpected failure. */
  #watch: StoreWatch<SchedulerEvent | CommitEvent> | null = null;
  #readAgain = false;

  constructor(options: SchedulerOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "scheduler" });
    this.#tickMs = Math.max(0, options.tickMs ?? DEFAULT_TICK_MS);
    this.#watchQueueLimit = options.watchQueueLimit ?? SCHEDULER_WATCH_QUEUE_LIMIT;
    this.#writer = new DecisionWriter(options.store, options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  /** Starts scheduling (no-op while running): reads every node and task, then follows changes. */
  start(): void {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#running = this.#run(abort.signal);
  }

  /** Stops scheduling and waits for a write in progress; idempotent. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    this.#abort = null;
    this.#timer?.cancel();
    this.#timer = null;
    await this.#running;
    await this.#writing;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let watch: StoreWatch<SchedulerEvent | CommitEvent>;
      try {
        [, watch] = this.#store.viewAndWatch((tx) => this.#state.load(tx), { table: SCHEDULER_TABLES, queueLimit: this.#watchQueueLimit, signal });
      } catch (error) {
        this.#log.error("cannot read the store; scheduler stopped", { error: toShoalError(error).message });
        return;
      }
      this.#watch = watch;
      const { queued, waiting } = this.#state.counts;
      this.#log.debug("scheduler read the store", { "tasks.pending": queued + waiting, nodes: this.#state.nodes.nodes().length });
      this.#schedule();
      try {
        for await (const event of watch) {
          if (event.kind === "commit") continue;
          this.#apply(event);
        }
        if (!this.#readAgain) return;
        this.#readAgain = false;
      } catch (error) {
        const failure = toShoalError(error);
        if (signal.aborted) return;
        if (failure.code !== "resource_exhausted") {
          this.#log.error("store watch ended; scheduler stopped", { error: failure.message });
          return;
        }
        this.#log.warn("fell behind the store; reading it again", { error: failure.message });
      }
    }
  }

  #apply(event: SchedulerEvent): void {
    try {
      this.#state.apply(event);
    } catch (error) {
      this.#log.error("cannot handle a store event", { table: event.table, kind: event.kind, "object.id": event.object.ID, error: toShoalError(error).message });
    }
    if (this.#state.hasWork) this.#schedule();
  }

  /** Arms one pass after the tick (changes arriving meanwhile join it). */
  #schedule(): void {
    if (this.#timer || this.#writing || !this.#abort) return;
    const delay = Math.max(this.#tickMs, this.#pausedUntil - this.#clock.now());
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#writing = this.#pass().finally(() => {
        this.#writing = null;
        if (this.#state.hasWork) this.#schedule();
      });
    }, delay);
  }

  /** Decides what is queued and writes it. */
  async #pass(): Promise<void> {
    const signal = this.#abort?.signal;
    if (!signal) return;
    const started = performance.now();
    let decisions;
    try {
      decisions = this.#state.decide();
    } catch (error) {
      // Whatever the pass left half done, a fresh read of the store puts right.
      this.#log.error("scheduling pass failed; reading the store again", { error: toShoalError(error).message });
      this.#readAgain = true;
      this.#watch?.close();
      return;
    }
    if (decisions.length === 0) return;
    const outcome = await this.#writer.write(decisions, new Date(this.#clock.now()).toISOString(), signal);
    this.#state.settle(decisions, outcome.written);
    const assigned = decisions.filter((decision) => decision.kind === "assigned").length;
    this.#log.debug("scheduling pass", { assigned, unplaceable: decisions.length - assigned, written: outcome.written.size, ms: Math.round(performance.now() - started) });
    if (outcome.error && !signal.aborted) {
      this.#log.warn("cannot write scheduling decisions; will retry", { error: outcome.error.message, decisions: decisions.length - outcome.written.size });
      this.#pausedUntil = this.#clock.now() + WRITE_RETRY_MS;
      this.#state.wake();
    }
  }
}
