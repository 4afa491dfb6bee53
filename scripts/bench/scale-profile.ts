/**
 * Where a process spent its CPU in a time window, from a `.cpuprofile` that `bun --cpu-prof` wrote:
 * self time by function and the total (inclusive) time of the project's own functions, over the
 * samples between two wall-clock instants (the profile's times are epoch microseconds).
 * Usage: bun scripts/bench/scale-profile.ts FILE.cpuprofile [--from EPOCH_MS] [--to EPOCH_MS] [--top N]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the window. */
export interface ProfileLine {
  name: string;
  ms: number;
  share: number;
}

/**
 * The sampled time of the window; the functions with the most self time; the project functions with
 * the most total time; and the time by component (see {@link componentOf}).
 */
export interface ProfileSummary {
  sampledMs: number;
  self: ProfileLine[];
  total: ProfileLine[];
  components: ProfileLine[];
}

/** Folders of src/ whose files are components of their own (the others count as their folder). */
const SPLIT_FOLDERS = new Set(["manager", "agent", "node", "api"]);

/**
 * The component a sample's time goes to: the innermost frame in a manager (or agent, node, api)
 * file, named by that file (`manager/dispatcher.ts`) or its sub-folder (`manager/orchestrator`);
 * without one, the innermost frame's folder of src/ (`store`, `raft`, `transport`); else `other`.
 */
function componentOf(urls: string[]): string {
  let fallback: string | undefined;
  for (const url of urls) {
    const match = /\/src\/(.+)$/.exec(url);
    if (!match) continue;
    const parts = match[1]!.split("/");
    if (SPLIT_FOLDERS.has(parts[0]!)) return parts.length > 2 ? `${parts[0]}/${parts[1]}` : match[1]!;
    fallback ??= parts[0];
  }
  return fallback ?? "other (native, libraries)";
}

/** `bun --cpu-prof`'s default sampling interval. */
const SAMPLE_US = 1000;

const label = (node: ProfileNode) => {
  const url = node.callFrame.url.replace(/^file:\/\//, "").replace(/^.*\/work\/main\//, "");
  return `${node.callFrame.functionName || "(anonymous)"}${url ? ` ${url}:${node.callFrame.lineNumber + 1}` : ""}`;
};

/** Summarizes the samples of `path` taken between `fromMs` and `toMs` (epoch ms; open ends when omitted). */
export function summarizeProfile(path: string, fromMs = -Infinity, toMs = Infinity, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const components = new Map<string, number>();
  let sampledUs = 0;
  let at = profile.startTime;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    const ms = at / 1000;
    if (ms < fromMs || ms > toMs) continue;
    // A sample stands for one sampling interval of CPU (the gaps between samples include idle time).
    const weight = SAMPLE_US;
    const leaf = byId.get(profile.samples[index]!)!;
    const leafName = label(leaf);
    if (leafName.startsWith("(idle)") || leafName.startsWith("(program)") || leafName.startsWith("(root)")) continue;
    sampledUs += weight;
    self.set(leafName, (self.get(leafName) ?? 0) + weight);
    const seen = new Set<string>();
    const urls: string[] = [];
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      urls.push(byId.get(id)!.callFrame.url);
      const name = label(byId.get(id)!);
      if (seen.has(name) || !name.includes(" src/")) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + weight);
    }
    const component = componentOf(urls);
    components.set(component, (components.get(component) ?? 0) + weight);
  }
  const lines = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / Math.max(1, sampledUs) }));
  return { sampledMs: sampledUs / 1000, self: lines(self), total: lines(total), components: lines(components) };
}

/** The summary as text. */
export function formatProfile(summary: ProfileSummary): string {
  const row = (line: ProfileLine) => `  ${(line.share * 100).toFixed(1).padStart(5)} %  ${line.ms.toFixed(0).padStart(7)} ms  ${line.name}`;
  return [
    `CPU sampled: ${(summary.sampledMs / 1000).toFixed(1)} s`,
    "by component (the innermost manager/agent/api file on the stack, else the src/ folder):",
    ...summary.components.map(row),
    "self time:",
    ...summary.self.map(row),
    "total time (shoal's own functions):",
    ...summary.total.map(row),
  ].join("\n");
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? Number(args[at + 1]) : undefined;
  };
  const file = args[0];
  if (!file) throw new Error("usage: bun scripts/bench/scale-profile.ts FILE.cpuprofile [--from EPOCH_MS] [--to EPOCH_MS] [--top N]");
  console.log(formatProfile(summarizeProfile(file, option("from"), option("to"), option("top"))));
}
