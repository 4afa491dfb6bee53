import { ShoalError } from "../lib/index.ts";

/** What a watcher asks for; `E` is the store's event type. */
export interface WatchOptions<E> {
  /** Only events that pass (checked when published, so the queue holds only matches). */
  filter?: (event: E) => boolean;
  /** Events the watcher may fall behind by before it is closed (default {@link DEFAULT_WATCH_QUEUE_LIMIT}). */
  queueLimit?: number;
  /** Closes the watch when aborted. */
  signal?: AbortSignal;
}

/** Events a watcher may hold unread before it is dropped (SwarmKit closes slow watchers the same way). */
export const DEFAULT_WATCH_QUEUE_LIMIT = 10_000;

/** A stream of store events in apply order. Iterate it with `for await`; `close()` (or `break`) ends it. */
export interface StoreWatch<E> extends AsyncIterableIterator<E> {
  close(): void;
  /** The error that ended the watch, if any. */
  readonly error: ShoalError | null;
}

/** Fans published events out to watchers, each with its own bounded queue: a slow watcher never holds publishing up. */
export class WatchHub<E> {
  readonly #watchers = new Set<Watcher<E>>();

  /** Number of open watchers. */
  get size(): number {
    return this.#watchers.size;
  }

  watch(options: WatchOptions<E> = {}): StoreWatch<E> {
    const watcher = new Watcher<E>(options, () => this.#watchers.delete(watcher));
    if (!watcher.closed) this.#watchers.add(watcher);
    return watcher;
  }

  publish(events: readonly E[]): void {
    for (const watcher of [...this.#watchers]) watcher.push(events);
  }

  /** Ends every watcher with `error` (or normally). */
  closeAll(error?: ShoalError): void {
    for (const watcher of [...this.#watchers]) watcher.end(error ?? null);
  }
}

class Watcher<E> implements StoreWatch<E> {
  readonly #queue: E[] = [];
  readonly #filter: ((event: E) => boolean) | undefined;
  readonly #limit: number;
  readonly #detach: () => void;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.end(null);
  #waiting: { resolve(result: IteratorResult<E>): void; reject(error: unknown): void } | null = null;
  closed = false;
  error: ShoalError | null = null;

  constructor(options: WatchOptions<E>, detach: () => void) {
    this.#filter = options.filter;
    this.#limit = Math.max(1, options.queueLimit ?? DEFAULT_WATCH_QUEUE_LIMIT);
    this.#detach = detach;
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.closed = true;
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  push(events: readonly E[]): void {
    for (const event of events) {
      if (this.closed) return;
      if (this.#filter && !this.#filter(event)) continue;
      if (this.#waiting) {
        const waiting = this.#waiting;
        this.#waiting = null;
        waiting.resolve({ value: event, done: false });
      } else if (this.#queue.length >= this.#limit) {
        this.end(new ShoalError("resource_exhausted", `store watch closed: the watcher fell more than ${this.#limit} events behind; read the store again and watch again`));
      } else {
        this.#queue.push(event);
      }
    }
  }

  /** Ends the watch; pending reads see `error`, or the end of the stream. */
  end(error: ShoalError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.error = error;
    if (error) this.#queue.length = 0;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#detach();
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting) error ? waiting.reject(error) : waiting.resolve({ value: undefined, done: true });
  }

  close(): void {
    this.end(null);
  }

  next(): Promise<IteratorResult<E>> {
    if (this.#queue.length > 0) return Promise.resolve({ value: this.#queue.shift()!, done: false });
    if (this.error) return Promise.reject(this.error);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiting) return Promise.reject(new ShoalError("failed_precondition", "a store watch is read by one reader at a time"));
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<E>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): StoreWatch<E> {
    return this;
  }
}
