/**
 * One process of the scale simulation's nodes: `--count` agents, each with its own data root and
 * certificate, joined through the real join protocol (`Agent.join` with the worker token, a few at
 * a time) and then keeping a real session to the managers (heartbeats, assignments stream, status
 * reports), their executor a {@link PretendExecutor}. Reports to its parent as JSON lines on stdout:
 *   {"type":"joined","joined":N,"failed":N,"ms":N}        once every join was tried
 *   {"type":"progress","at":EPOCH_MS,"assigned":N,"started":N,"stopped":N,"messages":N,"cpuMs":N,"rssMiB":N}
 * every {@link PROGRESS_MS}. Ends (without leaving: the managers go away with it) on SIGTERM or when
 * stdin closes.
 * Usage: bun scripts/bench/scale-agents.ts --count N --first I --token T --managers A[,B…] --advertise IP --dir D [--concurrency C]
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Agent } from "../../src/agent/index.ts";
import { createLogger, systemClock, toShoalError } from "../../src/lib/index.ts";
import { PretendExecutor, type ExecutorCounters } from "./scale-executor.ts";

const PROGRESS_MS = 200;

const flag = (name: string, fallback?: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? process.argv[at + 1] : fallback;
  if (value === undefined) throw new Error(`scale-agents: --${name} is required`);
  return value;
};
const count = Number(flag("count"));
const first = Number(flag("first", "0"));
const token = flag("token");
const managers = flag("managers").split(",");
const advertiseHost = flag("advertise");
const dir = flag("dir");
const concurrency = Number(flag("concurrency", "16"));

const logger = createLogger({ level: "warn", fields: { "sim.process": first } });
const counters: ExecutorCounters = { assigned: 0, started: 0, stopped: 0, messages: 0 };
const agents: Agent[] = [];
const emit = (line: object) => process.stdout.write(JSON.stringify(line) + "\n");

let ending = false;
async function end(): Promise<void> {
  if (ending) return;
  ending = true;
  clearInterval(progress);
  await Promise.race([Promise.all(agents.map((agent) => agent.stop().catch(() => {}))), Bun.sleep(3000)]);
  process.exit(0);
}
process.on("SIGTERM", () => void end());
process.stdin.on("close", () => void end());
process.stdin.resume();

const cpuAtStart = process.cpuUsage();
const progress = setInterval(() => {
  const cpu = process.cpuUsage(cpuAtStart);
  emit({ type: "progress", at: Date.now(), ...counters, cpuMs: Math.round((cpu.user + cpu.system) / 1000), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) });
}, PROGRESS_MS);

/** Joins node `index` (with a few retries: a manager under load may time a join out). */
async function joinOne(index: number): Promise<Agent> {
  const dataRoot = join(dir, `node-${index}`);
  mkdirSync(dataRoot, { recursive: true });
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await Agent.join(
        { dataRoot, clock: systemClock, logger, executor: new PretendExecutor(counters) },
        {
          remoteAddrs: managers,
          joinToken: token,
          advertiseHost,
          facts: { hostname: `sim-${String(index).padStart(5, "0")}`, architecture: "x86_64", nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30, engineVersion: "sim" },
        },
      );
    } catch (error) {
      lastError = error;
      await Bun.sleep(200 * attempt);
    }
  }
  throw lastError;
}

const started = performance.now();
let next = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count && !ending) {
      const index = first + next++;
      try {
        agents.push(await joinOne(index));
      } catch (error) {
        failed++;
        if (failed <= 3) console.error(`scale-agents: node ${index} could not join: ${toShoalError(error).message}`);
      }
    }
  }),
);
emit({ type: "joined", joined: agents.length, failed, ms: Math.round(performance.now() - started) });
