/** A cancellable timer handle. */
export interface Timer {
  cancel(): void;
}

/** Time as the rest of shoal sees it; tests and the simulator give a fake one (test/support/fake-clock.ts). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Calls `fn` every `ms` milliseconds until cancelled. */
  setInterval(fn: () => void, ms: number): Timer;
}

/** The longest delay a JS timer holds; Bun fires a longer one after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The wall clock. Delays longer than a JS timer can hold (about 24.8 days) are chained. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const due = Date.now() + ms;
    let handle: ReturnType<typeof setTimeout>;
    const arm = (delay: number) => {
      handle = setTimeout(() => {
        const remaining = due - Date.now();
        if (remaining > 0) arm(Math.min(remaining, MAX_TIMER_MS));
        else fn();
      }, delay);
    };
    arm(Math.min(Math.max(0, ms), MAX_TIMER_MS));
    return { cancel: () => clearTimeout(handle) };
  },
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    return { cancel: () => clearInterval(handle) };
  },
};

/** Resolves after `ms` on `clock`, or rejects with the signal's reason when it aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
