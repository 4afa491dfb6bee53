import type { Clock, Timer } from "../../src/lib/index.ts";

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
  every: number | null;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. Timers sit in one queue ordered by (time, creation order)
 * and fire in that order as time is advanced, so a run is the same every time: unit tests move it
 * with `advance`, the raft simulator steps it one event at a time with `runNext`.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #queue: Scheduled[] = [];

  constructor(start = Date.UTC(2026, 10, 25, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.#schedule(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.#schedule(fn, ms, Math.max(1, ms));
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.#queue.filter((timer) => !timer.cancelled).length;
  }

  #schedule(fn: () => void, ms: number, every: number | null): Timer {
    const timer: Scheduled = { at: this.#now + Math.max(0, Math.floor(ms)), seq: this.#seq++, fn, every, cancelled: false };
    this.#insert(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  #insert(timer: Scheduled): void {
    let low = 0;
    let high = this.#queue.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const other = this.#queue[mid]!;
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) low = mid + 1;
      else high = mid;
    }
    this.#queue.splice(low, 0, timer);
  }

  /** Fires the next timer due at or before `until`; false (with time moved to `until`) when there is none. */
  runNext(until: number): boolean {
    for (;;) {
      const timer = this.#queue[0];
      if (!timer || timer.at > until) {
        this.#now = Math.max(this.#now, until);
        return false;
      }
      this.#queue.shift();
      if (timer.cancelled) continue;
      this.#now = timer.at;
      if (timer.every !== null) {
        timer.at += timer.every;
        timer.seq = this.#seq++;
        this.#insert(timer);
      }
      timer.fn();
      return true;
    }
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order, as time passes. */
  advance(ms: number): void {
    const target = this.#now + ms;
    while (this.runNext(target));
  }

  /** Advances time and lets promise callbacks that timers started run in between (for async code). */
  async advanceAsync(ms: number, step = ms): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      this.advance(Math.min(step, ms - done));
      for (let tick = 0; tick < 10; tick++) await Promise.resolve();
    }
  }
}
