/** One submitted operation and how to settle its promise. */
interface Waiter<T> {
  op: T;
  resolve(): void;
  reject(error: unknown): void;
}

/** When a write starts once the queue is idle: at once, or after the current microtasks (to group a burst). */
export type CommitStart = "now" | "microtask";

/**
 * Group commit: one write at a time; operations submitted while a write is in flight all go into
 * the next write, and every operation completes in submission order. After a failed write (or
 * {@link CommitQueue.fail}) everything pending and every later submission is rejected: the owner's
 * view of what is stored can no longer be trusted.
 */
export class CommitQueue<T> {
  readonly #write: (ops: T[]) => Promise<void>;
  readonly #start: CommitStart;
  #pending: Waiter<T>[] = [];
  #inFlight: Waiter<T>[] | null = null;
  #scheduled = false;
  #failure: { error: unknown } | null = null;
  #idle: (() => void)[] = [];

  constructor(write: (ops: T[]) => Promise<void>, start: CommitStart) {
    this.#write = write;
    this.#start = start;
  }

  /** Resolves once `op` was written, after every operation submitted before it. */
  submit(op: T): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure.error);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ op, resolve, reject });
      this.#kick();
    });
  }

  /** Resolves once nothing is pending or in flight (also after a failure). */
  drained(): Promise<void> {
    if (!this.#busy) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Rejects everything pending or in flight, and every later submission, with `error`. */
  fail(error: unknown): void {
    if (this.#failure) return;
    this.#failure = { error };
    const waiters = [...(this.#inFlight ?? []), ...this.#pending];
    this.#inFlight = null;
    this.#pending = [];
    for (const waiter of waiters) waiter.reject(error);
    this.#settleIdle();
  }

  get #busy(): boolean {
    return this.#inFlight !== null || this.#pending.length > 0;
  }

  #kick(): void {
    if (this.#inFlight || this.#scheduled || this.#pending.length === 0 || this.#failure) return;
    if (this.#start === "now") return this.#begin();
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#begin();
    });
  }

  #begin(): void {
    if (this.#inFlight || this.#pending.length === 0 || this.#failure) return;
    const group = this.#pending;
    this.#pending = [];
    this.#inFlight = group;
    let written: Promise<void>;
    try {
      written = this.#write(group.map((waiter) => waiter.op));
    } catch (error) {
      written = Promise.reject(error);
    }
    written.then(
      () => {
        if (this.#inFlight !== group) return; // failed meanwhile: already rejected
        this.#inFlight = null;
        for (const waiter of group) waiter.resolve();
        this.#kick();
        if (!this.#busy) this.#settleIdle();
      },
      (error: unknown) => {
        if (this.#inFlight !== group) return;
        this.fail(error);
      },
    );
  }

  #settleIdle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
