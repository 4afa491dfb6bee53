/** The restarts of one instance (a slot of a replicated service, a node of a global one) at one spec version. */
interface InstanceRestarts {
  version: number;
  total: number;
  /** When each restart within the window happened (ms), oldest first; kept only when a window is set. */
  times: number[];
}

/** What a restart decision needs to know of the policy. */
export interface AttemptLimit {
  /** 0: no limit. */
  maxAttempts: number;
  /** 0: count every restart of this spec version. */
  windowMs: number;
}

/**
 * How often each instance of each service was restarted (SwarmKit's restart history): the memory
 * behind `--restart-max-attempts` and `--restart-window`. Counts start over when the service's spec
 * version changes. Kept by the leader only; a new leader rebuilds it from the tasks in the store.
 */
export class RestartHistory {
  readonly #byService = new Map<string, Map<string, InstanceRestarts>>();

  /**
   * True when the instance may be restarted once more: fewer than `maxAttempts` restarts so far
   * (within the window that ends when the task stopped, at `stoppedAt`, when a window is set).
   */
  allows(serviceId: string, instance: string, version: number | undefined, limit: AttemptLimit, stoppedAt: number): boolean {
    if (limit.maxAttempts === 0) return true;
    const restarts = this.#byService.get(serviceId)?.get(instance);
    if (!restarts || (version !== undefined && version !== restarts.version)) return true;
    if (limit.windowMs === 0) return restarts.total < limit.maxAttempts;
    const since = stoppedAt - limit.windowMs;
    while (restarts.times.length > 0 && restarts.times[0]! <= since) restarts.times.shift();
    const before = restarts.times.filter((at) => at < stoppedAt).length;
    return before < limit.maxAttempts;
  }

  /** Notes a restart of the instance at `at` (ms), made from spec `version`. */
  record(serviceId: string, instance: string, version: number, at: number, windowed: boolean): void {
    let instances = this.#byService.get(serviceId);
    if (!instances) this.#byService.set(serviceId, (instances = new Map()));
    let restarts = instances.get(instance);
    if (!restarts || restarts.version !== version) instances.set(instance, (restarts = { version, total: 0, times: [] }));
    restarts.total++;
    if (windowed) restarts.times.push(at);
  }

  /** Whether anything is known of `serviceId`'s instance. */
  knows(serviceId: string, instance: string): boolean {
    return this.#byService.get(serviceId)?.has(instance) ?? false;
  }

  /** Forgets a removed service. */
  forgetService(serviceId: string): void {
    this.#byService.delete(serviceId);
  }
}
