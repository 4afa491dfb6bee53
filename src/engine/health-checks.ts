import type { Logger } from "../lib/index.ts";
import type { ContainerHealth, ContainerRecord, HealthConfig } from "./container-record.ts";
import type { ContainerRuntime } from "./container-runtime.ts";
import type { ContainerStore } from "./container-store.ts";
import type { EventLog } from "./event-log.ts";

/** Docker's defaults (nanoseconds in the API, milliseconds here). */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const MAX_LOG_ENTRIES = 5;
const MAX_OUTPUT_BYTES = 4096;

/** A health check with its durations resolved (ms) — only for containers that have one. */
export interface HealthPlan {
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startIntervalMs: number;
}

/** The plan of a container's health check, or null when it has none (no Test, or `NONE`). */
export function healthPlan(check: HealthConfig | undefined): HealthPlan | null {
  const test = check?.Test ?? [];
  if (test.length === 0 || test[0] === "NONE") return null;
  const command = test[0] === "CMD-SHELL" ? ["/bin/sh", "-c", test.slice(1).join(" ")] : test[0] === "CMD" ? test.slice(1) : test;
  if (command.length === 0) return null;
  const ms = (ns: number | undefined, fallback: number) => (ns && ns > 0 ? Math.max(1, Math.round(ns / 1e6)) : fallback);
  const intervalMs = ms(check?.Interval, DEFAULT_INTERVAL_MS);
  return {
    command,
    intervalMs,
    timeoutMs: ms(check?.Timeout, DEFAULT_TIMEOUT_MS),
    retries: check?.Retries && check.Retries > 0 ? check.Retries : DEFAULT_RETRIES,
    startPeriodMs: ms(check?.StartPeriod, 0),
    startIntervalMs: ms(check?.StartInterval, intervalMs),
  };
}

/** What one probe gave. */
export interface ProbeResult {
  exitCode: number;
  output: string;
  start: Date;
  end: Date;
}

/**
 * The next health after a probe, by docker's rules: success → healthy (streak reset); a failure
 * during the start period does not count while the container has never been healthy; `retries`
 * failures in a row → unhealthy. The log keeps the last five probes.
 */
export function nextHealth(health: ContainerHealth, result: ProbeResult, plan: HealthPlan, inStartPeriod: boolean): ContainerHealth {
  const log = [...health.Log, { Start: result.start.toISOString(), End: result.end.toISOString(), ExitCode: result.exitCode, Output: result.output }].slice(-MAX_LOG_ENTRIES);
  if (result.exitCode === 0) return { Status: "healthy", FailingStreak: 0, Log: log };
  if (inStartPeriod && health.Status === "starting") return { ...health, Log: log };
  const streak = health.FailingStreak + 1;
  return { Status: streak >= plan.retries ? "unhealthy" : health.Status, FailingStreak: streak, Log: log };
}

/** Runs the health checks of running containers (docker's HEALTHCHECK), recording health and events. */
export class HealthChecks {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #store: ContainerStore;
  readonly #runtime: ContainerRuntime;
  readonly #events: EventLog;
  readonly #logger: Logger;
  readonly #attributes: (record: ContainerRecord) => Record<string, string>;

  constructor(deps: { store: ContainerStore; runtime: ContainerRuntime; events: EventLog; logger: Logger; attributes: (record: ContainerRecord) => Record<string, string> }) {
    this.#store = deps.store;
    this.#runtime = deps.runtime;
    this.#events = deps.events;
    this.#logger = deps.logger;
    this.#attributes = deps.attributes;
  }

  /** The health a container starts with: `starting`, or none without a check. */
  static initial(record: ContainerRecord): ContainerHealth | undefined {
    return healthPlan(record.Config.Healthcheck) ? { Status: "starting", FailingStreak: 0, Log: [] } : undefined;
  }

  /** Starts probing a running container (after a start, or when re-adopted). */
  watch(id: string): void {
    const record = this.#store.find(id);
    const plan = healthPlan(record?.Config.Healthcheck);
    if (!record || !plan) return;
    this.stop(id);
    const startedAt = Date.parse(record.State.StartedAt);
    const schedule = () => {
      const inStart = Date.now() - startedAt < plan.startPeriodMs;
      this.#timers.set(id, setTimeout(() => void probe(), inStart ? plan.startIntervalMs : plan.intervalMs));
    };
    const probe = async () => {
      if (!this.#timers.has(id)) return;
      const result = await this.#probe(id, plan);
      const current = this.#store.find(id);
      if (!current?.State.Running || !this.#timers.has(id)) return;
      const before = current.State.Health ?? { Status: "starting" as const, FailingStreak: 0, Log: [] };
      const health = nextHealth(before, result, plan, result.start.getTime() - startedAt < plan.startPeriodMs);
      await this.#store.update({ ...current, State: { ...current.State, Health: health } });
      if (health.Status !== before.Status) this.#events.emit("container", `health_status: ${health.Status}`, id, this.#attributes(current));
      if (this.#timers.has(id)) schedule();
    };
    schedule();
  }

  /** Stops probing (the container stopped or is removed). */
  stop(id: string): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  close(): void {
    for (const id of [...this.#timers.keys()]) this.stop(id);
  }

  async #probe(id: string, plan: HealthPlan): Promise<ProbeResult> {
    const start = new Date();
    try {
      const session = this.#runtime.exec(id, { args: plan.command, tty: false, stdin: false });
      let output = "";
      const reading = (async () => {
        for await (const chunk of session.output) if (output.length < MAX_OUTPUT_BYTES) output += new TextDecoder().decode(chunk.data);
      })();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), plan.timeoutMs)));
      const outcome = await Promise.race([session.exited, timedOut]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        session.kill("SIGKILL");
        return { exitCode: -1, output: `Health check exceeded timeout (${plan.timeoutMs / 1000}s)`, start, end: new Date() };
      }
      await reading;
      return { exitCode: outcome, output: output.slice(0, MAX_OUTPUT_BYTES), start, end: new Date() };
    } catch (error) {
      this.#logger.debug("health probe failed to run", { container: id.slice(0, 12), error: String(error) });
      return { exitCode: -1, output: error instanceof Error ? error.message : String(error), start, end: new Date() };
    }
  }
}
