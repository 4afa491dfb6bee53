import { FakeClock } from "../../support/fake-clock.ts";

/**
 * The simulation's one source of time and order: timers of every member, message deliveries and
 * disk syncs are events on one fake clock, run one at a time in (time, creation) order. Same seed,
 * same schedule, same run.
 */
export class SimScheduler extends FakeClock {
  constructor() {
    super(0);
  }

  /** Schedules a network or disk event `ms` from now. */
  at(ms: number, fn: () => void) {
    return this.setTimeout(fn, ms);
  }
}
