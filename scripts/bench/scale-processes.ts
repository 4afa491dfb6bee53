/** The scale simulation's node processes (scale-agents.ts): started, followed through their JSON lines, stopped. */
import { join } from "node:path";
import type { Subprocess } from "bun";

/** Where the simulated nodes are, summed over the processes. */
export interface SimTotals {
  /** The latest report's time (epoch ms). */
  at: number;
  assigned: number;
  started: number;
  stopped: number;
  /** Assignments messages the nodes received. */
  messages: number;
  cpuMs: number;
  rssMiB: number;
}

/** The running node processes. */
export interface SimProcesses {
  /** Resolves once every process tried all its joins (rejects when one dies or `timeoutMs` passes). */
  joined(timeoutMs: number): Promise<{ joined: number; failed: number }>;
  totals(): SimTotals;
  /** Called with the new totals after every report of any process. */
  onProgress(listener: (totals: SimTotals) => void): void;
  /** SIGTERM to each process, SIGKILL to those still there after 5 s. */
  stop(): Promise<void>;
}

/** Options of {@link startSimProcesses}. */
export interface SimOptions {
  nodes: number;
  processes: number;
  token: string;
  /** `HOST:PORT` of the managers. */
  managers: string[];
  /** The IP the nodes advertise. */
  advertise: string;
  /** The nodes' data roots go under here. */
  dir: string;
  /** Joins in flight per process. */
  concurrency: number;
  /** Flags for Bun before the script (e.g. the CPU profiler's). */
  bunFlags?: string[];
}

type Progress = SimTotals;

/** Starts `options.processes` processes sharing `options.nodes` simulated nodes. */
export function startSimProcesses(options: SimOptions): SimProcesses {
  const script = join(import.meta.dir, "scale-agents.ts");
  const latest: Progress[] = [];
  const listeners: ((totals: SimTotals) => void)[] = [];
  const children: Subprocess<"pipe", "pipe", "inherit">[] = [];
  const joinedLines: Promise<{ joined: number; failed: number }>[] = [];
  const totals = (): SimTotals => {
    const sum: SimTotals = { at: 0, assigned: 0, started: 0, stopped: 0, messages: 0, cpuMs: 0, rssMiB: 0 };
    for (const progress of latest) {
      sum.at = Math.max(sum.at, progress.at);
      sum.assigned += progress.assigned;
      sum.started += progress.started;
      sum.stopped += progress.stopped;
      sum.messages += progress.messages;
      sum.cpuMs += progress.cpuMs;
      sum.rssMiB += progress.rssMiB;
    }
    return sum;
  };
  const per = Math.ceil(options.nodes / options.processes);
  for (let index = 0; index * per < options.nodes; index++) {
    const first = index * per;
    const count = Math.min(per, options.nodes - first);
    const child = Bun.spawn(
      [
        process.execPath,
        ...(options.bunFlags ?? []),
        script,
        "--count", String(count),
        "--first", String(first),
        "--token", options.token,
        "--managers", options.managers.join(","),
        "--advertise", options.advertise,
        "--dir", join(options.dir, `p${index}`),
        "--concurrency", String(options.concurrency),
      ],
      { stdin: "pipe", stdout: "pipe", stderr: "inherit" },
    );
    children.push(child);
    latest.push({ at: 0, assigned: 0, started: 0, stopped: 0, messages: 0, cpuMs: 0, rssMiB: 0 });
    const slot = latest.length - 1;
    const joined = Promise.withResolvers<{ joined: number; failed: number }>();
    joinedLines.push(joined.promise);
    void child.exited.then((code) => joined.reject(new Error(`simulated node process ${index} exited (${code}) before its nodes joined`)));
    void (async () => {
      let buffer = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          let message: { type: string } & Record<string, number>;
          try {
            message = JSON.parse(line);
          } catch {
            continue;
          }
          if (message.type === "joined") joined.resolve({ joined: message.joined!, failed: message.failed! });
          else if (message.type === "progress") {
            latest[slot] = message as unknown as Progress;
            const sum = totals();
            for (const listener of listeners) listener(sum);
          }
        }
      }
    })();
  }
  return {
    async joined(timeoutMs) {
      let timer: Timer | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the simulated nodes did not finish joining within ${timeoutMs / 1000} s`)), timeoutMs);
      });
      const results = await Promise.race([Promise.all(joinedLines), timeout]).finally(() => clearTimeout(timer));
      return results.reduce((sum, result) => ({ joined: sum.joined + result.joined, failed: sum.failed + result.failed }), { joined: 0, failed: 0 });
    },
    totals,
    onProgress(listener) {
      listeners.push(listener);
    },
    async stop() {
      for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
      const all = Promise.all(children.map((child) => child.exited));
      if ((await Promise.race([all.then(() => "done"), Bun.sleep(5000).then(() => "late")])) === "late") {
        for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
        await all;
      }
    },
  };
}
