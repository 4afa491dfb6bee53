import type { Clock, Timer } from "../../../src/lib/index.ts";

interface Event {
  at: number;
  seq: number;
  run: () => void;
  every: number | null;
  cancelled: boolean;
}

/**
 * The simulation's one source of time and order: timers of every member, message deliveries and
 * disk syncs are events on one queue, run one at a time in (time, sequence) order. Same seed,
 * same schedule, same run.
 */
export class SimScheduler implements Clock {
  #now = 0;
  #seq = 0;
  #events: Event[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.#push(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.#push(fn, ms, Math.max(1, ms));
  }

  /** Schedules `fn` after `ms` (an alias used for network and disk events). */
  at(ms: number, fn: () => void): Timer {
    return this.#push(fn, ms, null);
  }

  #push(run: () => void, ms: number, every: number | null): Timer {
    const event: Event = { at: this.#now + Math.max(0, Math.floor(ms)), seq: this.#seq++, run, every, cancelled: false };
    this.#insert(event);
    return { cancel: () => void (event.cancelled = true) };
  }

  #insert(event: Event): void {
    // Binary search keeps the queue sorted by (at, seq).
    let low = 0;
    let high = this.#events.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const other = this.#events[mid]!;
      if (other.at < event.at || (other.at === event.at && other.seq < event.seq)) low = mid + 1;
      else high = mid;
    }
    this.#events.splice(low, 0, event);
  }

  /** Runs the next event; false when there is none before `until`. */
  runNext(until: number): boolean {
    for (;;) {
      const event = this.#events[0];
      if (!event || event.at > until) {
        this.#now = Math.max(this.#now, Math.min(until, event?.at ?? until));
        return false;
      }
      this.#events.shift();
      if (event.cancelled) continue;
      this.#now = event.at;
      if (event.every !== null) {
        event.at += event.every;
        event.seq = this.#seq++;
        this.#insert(event);
      }
      event.run();
      return true;
    }
  }
}

