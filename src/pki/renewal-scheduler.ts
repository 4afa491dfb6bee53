import { ShoalError, silentLogger, type Clock, type Logger, type Timer } from "../lib/index.ts";

/** A certificate's validity, milliseconds since the epoch. */
export interface CertificateLifetime {
  /** Start of validity. */
  notBefore: number;
  /** End of validity. */
  notAfter: number;
}

/** Renewal falls at a random point in this fraction of the lifetime (SwarmKit's 50 % to 80 %), so nodes do not renew in a herd. */
export const RENEWAL_WINDOW = { start: 0.5, end: 0.8 } as const;

/** The longest single timer the scheduler sets: Bun's and Node's timers fire at once past 2^31-1 ms (~24.8 days). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** Options of {@link RenewalScheduler}. */
export interface RenewalSchedulerOptions {
  /** Where time and timers come from. */
  clock: Clock;
  /** Gets a new certificate (new key, CSR, issuance, stored) and returns its lifetime; aborted by stop(). */
  renew: (signal: AbortSignal) => Promise<CertificateLifetime>;
  /** A number in [0, 1) per call; Math.random unless tests pin it. */
  random?: () => number;
  /** First retry delay after a failed renewal (then doubling); default 1 s. */
  retryInitialMs?: number;
  /** The longest retry delay; default 1 h. */
  retryMaxMs?: number;
  /** Where failures and renewals are logged. */
  logger?: Logger;
}

/** The instant a certificate should be renewed for a random draw `random` in [0, 1): between 50 % and 80 % of its lifetime. */
export function renewalTime(lifetime: CertificateLifetime, random: number): number {
  const span = lifetime.notAfter - lifetime.notBefore;
  const fraction = RENEWAL_WINDOW.start + (RENEWAL_WINDOW.end - RENEWAL_WINDOW.start) * Math.min(Math.max(random, 0), 1);
  return lifetime.notBefore + Math.floor(span * fraction);
}

/** The delay before retry number `attempt` (1, 2, …): doubling from `initialMs`, capped at `maxMs`, with the upper half jittered. */
export function retryDelay(attempt: number, random: number, initialMs: number, maxMs: number): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + (cap / 2) * Math.min(Math.max(random, 0), 1));
}

/**
 * Keeps a node's certificate fresh: renews at a random point of its lifetime, retries failures with capped
 * exponential backoff, starts over from each new certificate, and renews at once when asked (role change, CA rotation).
 */
export class RenewalScheduler {
  readonly #clock: Clock;
  readonly #renew: (signal: AbortSignal) => Promise<CertificateLifetime>;
  readonly #random: () => number;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  readonly #logger: Logger;
  #timer: Timer | null = null;
  #nextAt: number | null = null;
  #renewing: AbortController | null = null;
  #renewAgain = false;
  #failures = 0;
  #stopped = false;

  constructor(options: RenewalSchedulerOptions) {
    this.#clock = options.clock;
    this.#renew = options.renew;
    this.#random = options.random ?? Math.random;
    this.#retryInitialMs = options.retryInitialMs ?? 1000;
    this.#retryMaxMs = options.retryMaxMs ?? 60 * 60 * 1000;
    this.#logger = (options.logger ?? silentLogger).with({ module: "pki/renewal" });
  }

  /** When the next renewal will start (ms since the epoch), or null while one runs or after stop(). */
  get nextRenewalAt(): number | null {
    return this.#nextAt;
  }

  /** Schedules renewal of the certificate the node has now; called again, it replaces the schedule. */
  start(current: CertificateLifetime): void {
    if (this.#stopped) throw new ShoalError("failed_precondition", "the certificate renewal scheduler was stopped; make a new one");
    if (current.notAfter <= current.notBefore) throw new ShoalError("invalid_argument", "a certificate lifetime must end after it starts");
    if (this.#renewing) return; // the running renewal reschedules from its own result
    this.#armAt(renewalTime(current, this.#random()));
  }

  /** Renews now (the node's role changed, or the root CA rotated); if a renewal is running, another follows it. */
  renewNow(): void {
    if (this.#stopped) return;
    if (this.#renewing) {
      this.#renewAgain = true;
      return;
    }
    this.#cancelTimer();
    void this.#run();
  }

  /** Cancels the pending timer and aborts a running renewal; the scheduler does nothing afterwards. Idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#cancelTimer();
    this.#renewing?.abort(new ShoalError("cancelled", "certificate renewal stopped"));
    this.#renewing = null;
  }

  async #run(): Promise<void> {
    const controller = new AbortController();
    this.#renewing = controller;
    this.#renewAgain = false;
    let lifetime: CertificateLifetime;
    try {
      lifetime = await this.#renew(controller.signal);
    } catch (error) {
      if (this.#renewing !== controller) return;
      this.#renewing = null;
      this.#failures += 1;
      const delay = retryDelay(this.#failures, this.#random(), this.#retryInitialMs, this.#retryMaxMs);
      this.#logger.warn("certificate renewal failed; retrying", {
        error: error instanceof Error ? error.message : String(error),
        "retry.attempt": this.#failures,
        "retry.in_ms": delay,
      });
      this.#armAt(this.#clock.now() + delay);
      return;
    }
    if (this.#renewing !== controller) return;
    this.#renewing = null;
    this.#failures = 0;
    this.#logger.info("certificate renewed", { "cert.not_after": new Date(lifetime.notAfter).toISOString() });
    if (this.#renewAgain) return void this.#run();
    // A new certificate already past its renewal point (short validity) waits a little rather than renewing in a loop.
    this.#armAt(Math.max(renewalTime(lifetime, this.#random()), this.#clock.now() + this.#retryInitialMs));
  }

  #armAt(at: number): void {
    this.#cancelTimer();
    this.#nextAt = at;
    const delay = Math.min(Math.max(0, at - this.#clock.now()), MAX_TIMER_DELAY_MS);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      // Long waits are chained timers; the clock, not the timer count, says when the time has come.
      if (this.#clock.now() < at) return this.#armAt(at);
      this.#nextAt = null;
      void this.#run();
    }, delay);
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#nextAt = null;
  }
}
