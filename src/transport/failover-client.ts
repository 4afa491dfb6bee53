import { ShoalError, sleep, systemClock, type Clock } from "../lib/index.ts";
import type { ConnectionPool } from "./connection-pool.ts";
import type { CallOptions } from "./rpc-client.ts";
import type { UnaryMethod } from "./rpc-method.ts";

/**
 * Calls whichever manager answers: it sticks to the last one that worked, moves on to the next
 * when a manager is unreachable (or going away), and waits out the backoff when all of them are.
 * Errors that a manager answered with (not_found, permission_denied…) are returned as they are.
 */
export class FailoverClient {
  readonly #pool: ConnectionPool;
  readonly #managers: () => readonly string[];
  readonly #clock: Clock;
  #preferred = 0;

  constructor(pool: ConnectionPool, managers: () => readonly string[], clock: Clock = systemClock) {
    this.#pool = pool;
    this.#managers = managers;
    this.#clock = clock;
  }

  /** The address the next call goes to first. */
  get current(): string | undefined {
    const managers = this.#managers();
    return managers[this.#preferred % Math.max(1, managers.length)];
  }

  /** Calls `method` on a manager, failing over while the deadline (or `maxRounds` passes) allows. */
  async call<Request, Response>(method: UnaryMethod<Request, Response>, request: Request, options: CallOptions & { maxRounds?: number } = {}): Promise<Response> {
    const deadline = options.timeoutMs ? this.#clock.now() + options.timeoutMs : Number.POSITIVE_INFINITY;
    const maxRounds = options.maxRounds ?? 5;
    let lastError: ShoalError = new ShoalError("unavailable", "no manager is known");
    for (let round = 0; round < maxRounds; round++) {
      const managers = this.#managers();
      if (managers.length === 0) break;
      for (let step = 0; step < managers.length; step++) {
        const index = (this.#preferred + step) % managers.length;
        const remaining = deadline - this.#clock.now();
        if (remaining <= 0) throw new ShoalError("deadline_exceeded", `${method.name}: no manager answered in time (last error: ${lastError.message})`);
        try {
          const client = await this.#pool.client(managers[index]!);
          const response = await client.call(method, request, { ...options, timeoutMs: Number.isFinite(remaining) ? remaining : options.timeoutMs });
          this.#preferred = index;
          return response;
        } catch (error) {
          if (!(error instanceof ShoalError) || error.code !== "unavailable") throw error;
          lastError = error;
        }
      }
      // Every manager failed this round: wait until the soonest may be tried again.
      const soonest = Math.min(...managers.map((address) => this.#pool.retryAt(address)));
      const wait = Math.min(Math.max(0, soonest - this.#clock.now()), deadline - this.#clock.now());
      if (wait > 0) await sleep(this.#clock, wait, options.signal);
    }
    throw lastError;
  }
}
