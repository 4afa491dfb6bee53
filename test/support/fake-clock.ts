import type { Clock, Timer } from "../../src/lib/index.ts";

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
  every: number | null;
  cancelled: boolean;
}

/** A clock that moves only when told to: timers fire in time order during `advance`. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Scheduled[] = [];

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

  #schedule(fn: () => void, ms: number, every: number | null): Timer {
    const timer: Scheduled = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, every, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.#timers.filter((timer) => !timer.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order, as time passes. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((timer) => !timer.cancelled);
      const next = this.#timers.reduce<Scheduled | undefined>(
        (earliest, timer) => (!earliest || timer.at < earliest.at || (timer.at === earliest.at && timer.seq < earliest.seq) ? timer : earliest),
        undefined,
      );
      if (!next || next.at > target) break;
      this.#now = next.at;
      if (next.every === null) next.cancelled = true;
      else {
        next.at += next.every;
        next.seq = this.#seq++;
      }
      next.fn();
    }
    this.#now = target;
  }

  /** Advances time and lets promise callbacks that timers started run in between (for async code). */
  async advanceAsync(ms: number, step = ms): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      this.advance(Math.min(step, ms - done));
      for (let tick = 0; tick < 10; tick++) await Promise.resolve();
    }
  }
}
