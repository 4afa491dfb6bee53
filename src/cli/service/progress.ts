/**
 * `--detach=false`: follows a service until it converges, as docker's progress.ServiceProgress
 * does — every 200 ms `GET /services/{id}`, `GET /tasks?filters={service, _up-to-date}` and
 * `GET /nodes` — and prints what docker prints (a progress bar per slot on a terminal, plain
 * lines otherwise).
 */
import type { Node, Service, Task } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { shortId } from "../format/list-format.ts";

/** Task states in docker's order; 0 (absent) for the ones progress ignores. */
const NUMBERED_STATES: Record<string, number> = {
  new: 1, allocated: 2, pending: 3, assigned: 4, accepted: 5, preparing: 6, ready: 7, starting: 8, running: 9,
  complete: 10, shutdown: 11, failed: 12, rejected: 13,
};
const LONGEST_STATE = 9;
const MAX_PROGRESS = 9;
const MAX_PROGRESS_BARS = 20;

const stateNumber = (state: string | undefined) => NUMBERED_STATES[state ?? ""] ?? 0;
const terminal = (state: string | undefined) => stateNumber(state) > NUMBERED_STATES.running!;

/** Time as progress sees it (a fake in tests). */
export interface ProgressClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: ProgressClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** One progress message (docker's progress.Progress). */
interface ProgressMessage {
  id: string;
  action?: string;
  message?: string;
  current?: number;
  total?: number;
}

/** Renders progress messages as docker's jsonmessage display does, with cursor movement on a terminal. */
export class ProgressDisplay {
  readonly #out: (text: string) => void;
  readonly #terminal: boolean;
  readonly #width: number;
  #ids = new Map<string, number>();

  constructor(out: (text: string) => void, terminal: boolean, width = 200) {
    this.#out = out;
    this.#terminal = terminal;
    this.#width = width;
  }

  /** Shows one message. */
  write(message: ProgressMessage): void {
    const isProgress = message.message === undefined;
    const current = message.current ?? 0;
    const total = message.total ?? 0;
    let diff = 0;
    let text = "";
    if (message.id && isProgress) {
      let line = this.#ids.get(message.id);
      if (line === undefined) {
        line = this.#ids.size;
        this.#ids.set(message.id, line);
        if (this.#terminal) text += "\n";
      }
      diff = this.#ids.size - line;
      if (this.#terminal && diff > 0) text += `\x1b[${diff}A`;
    } else {
      this.#ids = new Map();
    }
    let endl = "";
    if (this.#terminal && isProgress) {
      text += "\x1b[2K\r";
      endl = "\r";
    } else if (isProgress && (current > 0 || total > 0)) {
      this.#out(text);
      return;
    }
    if (message.id) text += `${message.id}: `;
    if (isProgress && this.#terminal) text += `${message.action ?? ""} ${this.#bar(current, total)}${endl}`;
    else text += `${isProgress ? (message.action ?? "") : message.message}${endl}\n`;
    if (message.id && this.#terminal && diff > 0) text += `\x1b[${diff}B`;
    this.#out(text);
  }

  #bar(current: number, total: number): string {
    if (total <= 0) return "";
    const percentage = Math.min(Math.floor(Math.floor((current / total) * 100) / 2), 50);
    return this.#width > 110 ? `[${"=".repeat(percentage)}>${" ".repeat(Math.max(50 - percentage, 0))}] ` : "";
  }
}

/** The task docker shows for a slot (or node): the one desired most current, then furthest along. */
function pickTasks(tasks: Task[], key: (task: Task) => string, activeNodes: Set<string> | undefined): Map<string, Task> {
  const picked = new Map<string, Task>();
  for (const task of tasks) {
    if (stateNumber(task.DesiredState) === 0 || stateNumber(task.Status?.State) === 0) continue;
    const existing = picked.get(key(task));
    if (existing) {
      if (stateNumber(existing.DesiredState) < stateNumber(task.DesiredState)) continue;
      if (stateNumber(existing.DesiredState) === stateNumber(task.DesiredState) && stateNumber(existing.Status.State) <= stateNumber(task.Status.State)) continue;
    }
    if (activeNodes && task.NodeID && !activeNodes.has(task.NodeID)) continue;
    picked.set(key(task), task);
  }
  return picked;
}

function truncError(message: string): string {
  const flat = message.replaceAll("\n", " ");
  return flat.length > 75 ? `${flat.slice(0, 74)}…` : flat;
}

/** Follows one kind of service (docker's progressUpdater); returns whether it has converged. */
class Updater {
  #initialized = false;
  #done = false;
  readonly #slotMap = new Map<string, number>();
  readonly #show: (message: ProgressMessage) => void;
  readonly #global: boolean;

  constructor(show: (message: ProgressMessage) => void, global: boolean) {
    this.#show = show;
    this.#global = global;
  }

  #overall(running: number, total: number, rollback: boolean): void {
    this.#show({ id: "overall progress", action: rollback ? `rolling back update: ${running} out of ${total} tasks` : `${running} out of ${total} tasks` });
  }

  update(service: Service, tasks: Task[], activeNodes: Set<string>, rollback: boolean): boolean {
    const byKey = this.#global ? pickTasks(tasks, (task) => task.NodeID ?? "", undefined) : pickTasks(tasks, (task) => String(task.Slot ?? 0), activeNodes);
    const mode = service.Spec.Mode as { Replicated?: { Replicas?: number } };
    const total = this.#global ? byKey.size : (mode.Replicated?.Replicas ?? 0);
    if (!this.#initialized) {
      if (this.#global && total === 0) {
        this.#show({ id: "overall progress", action: "waiting for new tasks" });
        return false;
      }
      this.#overall(0, total, rollback);
      if (!this.#global && total <= MAX_PROGRESS_BARS) for (let slot = 1; slot <= total; slot++) this.#show({ id: `${slot}/${total}`, action: " " });
      this.#initialized = true;
    }
    if (this.#done && [...byKey.values()].some((task) => task.Status.State !== "running")) this.#done = false;
    let running = 0;
    for (const [key, task] of byKey) {
      if (this.#global && !activeNodes.has(task.NodeID ?? "")) continue;
      if (!terminal(task.DesiredState) && task.Status.State === "running") running++;
      let id: string;
      if (this.#global) id = shortId(task.NodeID ?? "");
      else {
        let mapped = this.#slotMap.get(key);
        if (mapped === undefined) {
          mapped = this.#slotMap.size + 1;
          this.#slotMap.set(key, mapped);
        }
        if (mapped > total) continue;
        id = `${mapped}/${total}`;
      }
      if (this.#done || total > MAX_PROGRESS_BARS) continue;
      if (task.Status.Err) this.#show({ id, action: truncError(task.Status.Err) });
      else if (!terminal(task.DesiredState) && !terminal(task.Status.State)) {
        this.#show({ id, action: task.Status.State.padEnd(LONGEST_STATE), current: stateNumber(task.Status.State), total: MAX_PROGRESS });
      }
    }
    if (!this.#done) {
      this.#overall(running, total, rollback);
      if (running === total) this.#done = true;
    }
    return running === total;
  }
}

/** Follows service `id` until it converges and stays so for `UpdateConfig.Monitor` (5 s by default). */
export async function serviceProgress(ctx: CliContext, id: string, quiet: boolean, clock: ProgressClock = REAL_CLOCK): Promise<void> {
  const size = ctx.streams.terminalSize();
  const display = new ProgressDisplay((text) => quiet || ctx.out(text), ctx.streams.stdoutIsTerminal, size?.width ?? 200);
  const show = (message: ProgressMessage) => display.write(message);
  let updater: Updater | undefined;
  let converged = false;
  let convergedAt: number | undefined;
  let monitor = 5e9;
  let rollback = false;
  let finalMessage: ProgressMessage | undefined;
  for (;;) {
    const service = await ctx.client.json<Service>("GET", `/services/${encodeURIComponent(id)}`);
    if (service.Spec.UpdateConfig?.Monitor) monitor = service.Spec.UpdateConfig.Monitor;
    if (!updater) {
      const mode = service.Spec.Mode as Record<string, { Replicas?: number } | undefined>;
      if (mode.Replicated?.Replicas !== undefined) updater = new Updater(show, false);
      else if (mode.Global) updater = new Updater(show, true);
      else if (mode.ReplicatedJob || mode.GlobalJob) {
        // Jobs: docker follows completions; shoal reports convergence when the job is done.
        updater = new Updater(show, Boolean(mode.GlobalJob));
      } else throw new CliError("unrecognized service mode");
    }
    const status = service.UpdateStatus;
    switch (status?.State) {
      case "updating":
        rollback = false;
        break;
      case "completed":
        if (!converged) return;
        break;
      case "paused":
        throw new CliError(`service update paused: ${status.Message ?? ""}`);
      case "rollback_started":
        if (!rollback && status.Message) show({ id: "rollback", action: status.Message });
        rollback = true;
        break;
      case "rollback_paused":
        throw new CliError(`service rollback paused: ${status.Message ?? ""}`);
      case "rollback_completed":
        if (!converged) finalMessage = { id: "rollback", message: status.Message ?? "" };
        rollback = true;
        break;
    }
    if (converged && convergedAt !== undefined && (clock.now() - convergedAt) * 1e6 >= monitor) {
      show({ id: "verify", action: `Service ${id} converged` });
      if (finalMessage) show(finalMessage);
      return;
    }
    const tasks = await ctx.client.json<Task[]>("GET", "/tasks", { query: { filters: filtersQuery([], { service: [service.ID], "_up-to-date": ["true"] }) } });
    const nodes = await ctx.client.json<Node[]>("GET", "/nodes");
    const active = new Set(nodes.filter((node) => node.Status?.State !== "down").map((node) => node.ID));
    converged = updater.update(service, tasks, active, rollback);
    if (converged) {
      if (service.JobStatus) {
        show({ id: "", message: "job complete" });
        return;
      }
      convergedAt ??= clock.now();
      const wait = monitor - (clock.now() - convergedAt) * 1e6;
      if (wait >= 0) show({ id: "verify", action: `Waiting ${Math.floor(wait / 1e9) + 1} seconds to verify that tasks are stable...` });
    } else {
      if (convergedAt !== undefined) show({ id: "verify", action: "Detected task failure" });
      convergedAt = undefined;
    }
    await clock.sleep(200);
  }
}
