import { toShoalError, type Clock, type Logger, type Timer } from "../lib/index.ts";

/** A loop of the managers that runs on the raft leader only (allocator, scheduler, orchestrators…). */
export interface LeaderLoop {
  start(): void;
  stop(): Promise<void>;
}

/** Whether this manager leads and its store holds everything committed (an entry of its own term applied). */
export type LeadershipProbe = () => boolean;

const PROBE_INTERVAL_MS = 50;

/**
 * Starts the leader's loops when this manager becomes a leader whose store is up to date, and
 * stops them when it loses leadership (SwarmKit's manager does the same on its leadership
 * channel). Each term of leadership gets fresh loops from `make`, which reconcile from a new read
 * of the store.
 */
export class LeaderLoops {
  readonly #probe: LeadershipProbe;
  readonly #make: () => LeaderLoop[];
  readonly #clock: Clock;
  readonly #log: Logger;
  #running: LeaderLoop[] | null = null;
  #timer: Timer | null = null;
  #transition: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: { probe: LeadershipProbe; make: () => LeaderLoop[]; clock: Clock; logger: Logger }) {
    this.#probe = options.probe;
    this.#make = options.make;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "manager" });
  }

  /** Starts following leadership. */
  start(): void {
    this.#arm();
  }

  /** Stops following leadership and stops the loops if they run. */
  async stop(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = null;
    await this.#transition;
    await this.#stopLoops();
  }

  #arm(): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#transition = this.#transition.then(() => this.#follow()).finally(() => this.#arm());
    }, PROBE_INTERVAL_MS);
  }

  async #follow(): Promise<void> {
    if (this.#closed) return;
    const leading = this.#probe();
    if (leading && !this.#running) {
      this.#running = this.#make();
      for (const loop of this.#running) loop.start();
      this.#log.info("leading: orchestration started");
    } else if (!leading && this.#running) {
      await this.#stopLoops();
      this.#log.info("no longer leading: orchestration stopped");
    }
  }

  async #stopLoops(): Promise<void> {
    const loops = this.#running;
    this.#running = null;
    for (const loop of (loops ?? []).reverse()) {
      await loop.stop().catch((error) => this.#log.warn("a leader loop failed to stop", { error: toShoalError(error).message }));
    }
  }
}
