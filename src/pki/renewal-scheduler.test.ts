import { expect, test } from "bun:test";
import fc from "fast-check";
import type { Clock } from "../lib/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught } from "../../test/support/pki-fixtures.ts";
import { MAX_TIMER_DELAY_MS, RenewalScheduler, renewalTime, retryDelay, type CertificateLifetime } from "./renewal-scheduler.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A node certificate issued now: backdated an hour, valid for `validity`. */
function issuedAt(clock: Clock, validity = 90 * DAY): CertificateLifetime {
  return { notBefore: clock.now() - HOUR, notAfter: clock.now() + validity };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

test("the renewal point always falls between 50 % and 80 % of the lifetime", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 36 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (start, span, random) => {
      const at = renewalTime({ notBefore: start, notAfter: start + span }, random);
      expect(at).toBeGreaterThanOrEqual(start + Math.floor(span * 0.5));
      expect(at).toBeLessThanOrEqual(start + Math.floor(span * 0.8));
      expect(at).toBeLessThan(start + span);
    }),
  );
});

test("retry delays double from the first delay, never pass the cap, and keep at least half of it", () => {
  expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(attempt, 1, 1000, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(attempt, 0, 1000, 10_000))).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
});

test("a certificate is renewed between 50 % and 80 % of its life, well before expiry, then again from the new one", async () => {
  const clock = new FakeClock();
  const first = issuedAt(clock);
  const renewedAt: number[] = [];
  const scheduler = new RenewalScheduler({
    clock,
    random: () => 0.5,
    renew: async () => {
      renewedAt.push(clock.now());
      return issuedAt(clock);
    },
  });
  scheduler.start(first);
  const expected = first.notBefore + Math.floor((first.notAfter - first.notBefore) * 0.65);
  expect(scheduler.nextRenewalAt).toBe(expected);
  await clock.advanceAsync(expected - clock.now() - 1, DAY);
  expect(renewedAt).toEqual([]);
  await clock.advanceAsync(1);
  expect(renewedAt).toEqual([expected]);
  expect(renewedAt[0]!).toBeLessThan(first.notAfter);
  const second = { notBefore: expected - HOUR, notAfter: expected + 90 * DAY };
  expect(scheduler.nextRenewalAt).toBe(second.notBefore + Math.floor((second.notAfter - second.notBefore) * 0.65));
  await clock.advanceAsync(scheduler.nextRenewalAt! - clock.now(), DAY);
  expect(renewedAt).toHaveLength(2);
  scheduler.stop();
});

test("a wait of weeks is made of timers a 32-bit timeout can hold, and still ends on time", async () => {
  const fake = new FakeClock();
  const delays: number[] = [];
  const clock: Clock = { now: () => fake.now(), setInterval: fake.setInterval.bind(fake), setTimeout: (fn, ms) => (delays.push(ms), fake.setTimeout(fn, ms)) };
  const lifetime = issuedAt(clock, 365 * DAY);
  let renewedAt: number | null = null;
  const scheduler = new RenewalScheduler({ clock, random: () => 0, renew: async () => ((renewedAt = clock.now()), issuedAt(clock, 365 * DAY)) });
  scheduler.start(lifetime);
  await fake.advanceAsync(200 * DAY, DAY);
  expect(renewedAt!).toBe(renewalTime(lifetime, 0));
  expect(delays.length).toBeGreaterThan(7);
  expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
  scheduler.stop();
});

test("a failing renewal is retried with growing, capped backoff until it succeeds", async () => {
  const clock = new FakeClock();
  const attempts: number[] = [];
  const scheduler = new RenewalScheduler({
    clock,
    random: () => 0.999999,
    retryInitialMs: 1000,
    retryMaxMs: 4000,
    renew: async () => {
      attempts.push(clock.now());
      if (attempts.length <= 4) throw new Error("manager unreachable");
      return issuedAt(clock);
    },
  });
  const start = clock.now();
  scheduler.renewNow();
  await flush();
  await clock.advanceAsync(20_000, 100);
  expect(attempts.map((at) => at - start)).toEqual([0, 1000, 3000, 7000, 11_000]);
  expect(scheduler.nextRenewalAt).toBeGreaterThan(clock.now() + 40 * DAY);
  scheduler.stop();
});

test("a role change renews at once instead of waiting for the scheduled point", async () => {
  const clock = new FakeClock();
  let renewals = 0;
  const scheduler = new RenewalScheduler({ clock, renew: async () => (renewals++, issuedAt(clock)) });
  scheduler.start(issuedAt(clock));
  await clock.advanceAsync(HOUR);
  expect(renewals).toBe(0);
  scheduler.renewNow();
  await flush();
  expect(renewals).toBe(1);
  expect(scheduler.nextRenewalAt).toBeGreaterThanOrEqual(clock.now() + 45 * DAY - HOUR);
  scheduler.stop();
});

test("a renewal asked for while one runs follows it, so the new role is not lost", async () => {
  const clock = new FakeClock();
  const pending: ReturnType<typeof deferred<CertificateLifetime>>[] = [];
  const scheduler = new RenewalScheduler({ clock, renew: () => (pending.push(deferred()), pending.at(-1)!.promise) });
  scheduler.renewNow();
  scheduler.renewNow();
  scheduler.renewNow();
  await flush();
  expect(pending).toHaveLength(1);
  pending[0]!.resolve(issuedAt(clock));
  await flush();
  expect(pending).toHaveLength(2);
  pending[1]!.resolve(issuedAt(clock));
  await flush();
  expect(pending).toHaveLength(2);
  expect(scheduler.nextRenewalAt).not.toBeNull();
  scheduler.stop();
});

test("stop cancels the scheduled renewal", async () => {
  const clock = new FakeClock();
  let renewals = 0;
  const scheduler = new RenewalScheduler({ clock, renew: async () => (renewals++, issuedAt(clock)) });
  scheduler.start(issuedAt(clock));
  expect(clock.pending).toBe(1);
  scheduler.stop();
  scheduler.stop();
  expect(clock.pending).toBe(0);
  expect(scheduler.nextRenewalAt).toBeNull();
  await clock.advanceAsync(100 * DAY, DAY);
  expect(renewals).toBe(0);
  scheduler.renewNow();
  await flush();
  expect(renewals).toBe(0);
});

test("stop aborts a running renewal and ignores what it returns", async () => {
  const clock = new FakeClock();
  const running = deferred<CertificateLifetime>();
  let signal: AbortSignal | undefined;
  const scheduler = new RenewalScheduler({ clock, renew: (s) => ((signal = s), running.promise) });
  scheduler.renewNow();
  scheduler.stop();
  expect(signal?.aborted).toBe(true);
  running.resolve(issuedAt(clock));
  await flush();
  expect(clock.pending).toBe(0);
  expect(scheduler.nextRenewalAt).toBeNull();
});

test("a stopped scheduler refuses to start again", async () => {
  const clock = new FakeClock();
  const scheduler = new RenewalScheduler({ clock, renew: async () => issuedAt(clock) });
  scheduler.stop();
  const error = await caught(() => scheduler.start(issuedAt(clock)));
  expect(error.code).toBe("failed_precondition");
});

test("a new certificate already past its renewal point waits a little instead of renewing in a loop", async () => {
  const clock = new FakeClock();
  let renewals = 0;
  // One hour of validity backdated one hour: the 50 % point is the moment of issue.
  const scheduler = new RenewalScheduler({ clock, random: () => 0, retryInitialMs: 1000, renew: async () => (renewals++, issuedAt(clock, HOUR)) });
  scheduler.renewNow();
  await flush();
  expect(renewals).toBe(1);
  expect(scheduler.nextRenewalAt).toBe(clock.now() + 1000);
  await clock.advanceAsync(999);
  expect(renewals).toBe(1);
  await clock.advanceAsync(1);
  expect(renewals).toBe(2);
  scheduler.stop();
});
