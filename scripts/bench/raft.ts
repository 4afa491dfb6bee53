/**
 * Raft figures: shoal's raft (3 member processes on loopback, LMDB, mutual TLS) beside etcd 3.4
 * (Debian's etcd-server, 3 members on loopback, run by shared/research/raft-anchor in the same
 * run): sequential put latency, puts/s with 1, 16 and 64 concurrent clients (256-byte values),
 * leader failover (kill -9 → next successful write) over 5 runs, member RSS after 100k entries,
 * and the disk's fsync latency. Usage: bun scripts/bench/raft.ts [--quick] [--no-etcd]
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort, RaftProcessCluster } from "../../test/support/raft-process-cluster.ts";
import { median, quantile, report } from "./stats.ts";

const quick = process.argv.includes("--quick");
const withEtcd = !process.argv.includes("--no-etcd");
const VALUE = "v".repeat(256);
const SEQUENTIAL = quick ? 300 : 2000;
const SECONDS = quick ? 2 : 5;
const FAILOVERS = quick ? 2 : 5;
const ENTRIES = quick ? 10_000 : 100_000;

const dir = mkdtempSync("/tmp/shoal-raftbench-");
const ours: Record<string, number> = {};
let cluster: RaftProcessCluster | undefined;
try {
  cluster = await RaftProcessCluster.start(dir, ["m1", "m2", "m3"].map((id) => ({ id, address: `127.0.0.1:${freePort()}` })));
  await cluster.waitForLeader();
  let key = 0;
  for (let i = 0; i < 200; i++) await cluster.put(`warm${i}`, VALUE);

  const latencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const started = performance.now();
    await cluster.put(`seq${key++}`, VALUE);
    latencies.push(performance.now() - started);
  }
  ours.p50 = quantile(latencies, 0.5);
  ours.p99 = quantile(latencies, 0.99);

  for (const concurrency of [1, 16, 64]) {
    const until = performance.now() + SECONDS * 1000;
    let done = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          await cluster!.put(`c${key++}`, VALUE);
          done++;
        }
      }),
    );
    ours[`puts${concurrency}`] = done / SECONDS;
  }

  const failovers: number[] = [];
  for (let run = 0; run < FAILOVERS; run++) {
    const leader = await cluster.waitForLeader();
    await cluster.kill(leader);
    const killedAt = performance.now();
    await cluster.put(`after-kill-${run}`, VALUE, { timeoutMs: 20_000 });
    failovers.push(performance.now() - killedAt);
    await cluster.startMember(leader);
    await Bun.sleep(1500);
  }
  ours.failover = median(failovers);
  ours.failoverMin = Math.min(...failovers);
  ours.failoverMax = Math.max(...failovers);

  let written = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (written < ENTRIES) {
        written++;
        await cluster!.put(`mem${key++}`, VALUE);
      }
    }),
  );
  await Bun.sleep(2000);
  const statuses = await Promise.all(["m1", "m2", "m3"].map((id) => cluster!.statusOrThrow(id)));
  ours.rss = median(statuses.map((status) => status.rssBytes / 1024 / 1024));
  ours.rssAnon = median(statuses.map((status) => status.rssAnonBytes / 1024 / 1024));
  ours.rssFile = median(statuses.map((status) => status.rssFileBytes / 1024 / 1024));
} finally {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`shoal figures (before the etcd runs): ${JSON.stringify(ours)}`);

// ---- etcd, same machine, same run ---------------------------------------------------------
const peer: Record<string, number> = {};
let fsync: string = "n/a";
if (withEtcd && Bun.which("etcd")) {
  const anchor = mkdtempSync("/tmp/shoal-raft-anchor-");
  try {
    cpSync(resolve(import.meta.dir, "../../../shared/research/raft-anchor"), anchor, { recursive: true, filter: (path) => !path.includes("/results") && !path.includes("node_modules") });
    const node = (args: string[]) => Bun.spawnSync(["node", ...args], { cwd: anchor, stdout: "pipe", stderr: "inherit", timeout: 20 * 60_000 });
    /** The newest result file of one anchor script, or null when that script failed (its figures print as n/a). */
    const latest = (prefix: string): Record<string, unknown> | null => {
      try {
        const files = readdirSync(join(anchor, "results")).filter((name) => name.startsWith(prefix)).sort();
        return files.length > 0 ? JSON.parse(readFileSync(join(anchor, "results", files.at(-1)!), "utf8")) : null;
      } catch {
        return null;
      }
    };
    node(["bench-put.mjs", "--reps", "1", "--seq", String(SEQUENTIAL), "--secs", String(SECONDS), "--conc", "1,16,64", "--members", "3"]);
    const put = latest("bench-put") as { agg?: Record<string, unknown> } | null;
    const agg = put?.agg?.["3-member"];
    peer.p50 = pick(agg, ["seqLeader", "p50", "median"]);
    peer.p99 = pick(agg, ["seqLeader", "p99", "median"]);
    for (const concurrency of [1, 16, 64]) peer[`puts${concurrency}`] = pick(agg, [`c${concurrency}`, "opsPerSec", "median"]);
    node(["failover.mjs", "--reps", String(FAILOVERS)]);
    peer.failover = pick(latest("failover")?.agg, ["failoverMs", "median"]);
    node(["memory.mjs", "--reps", "1", "--keys", String(ENTRIES)]);
    peer.rss = pick(latest("memory")?.agg, ["loadedRssMiB_perMember", "median"]);
    node(["fsync.mjs"]);
    const disk = latest("fsync")?.results;
    fsync = `4 KiB append+fdatasync p50 ${pick(disk, ["append", "p50", "median"])} ms, p99 ${pick(disk, ["append", "p99", "median"])} ms; overwrite p50 ${pick(disk, ["overwrite", "p50", "median"])} ms`;
  } finally {
    rmSync(anchor, { recursive: true, force: true });
  }
}

/** Reads a nested figure, or NaN when the anchor's JSON lacks it. */
function pick(value: unknown, path: string[]): number {
  let current = value as Record<string, unknown> | undefined;
  for (const key of path) current = current?.[key] as Record<string, unknown> | undefined;
  return typeof current === "number" ? current : Number.NaN;
}

const beside = (name: string, unit: string, digits = 1, lowerIsBetter = false) => {
  const a = ours[name]!;
  const b = peer[name];
  const ratio = b && Number.isFinite(b) ? ` (shoal/etcd ${(a / b).toFixed(2)}×${lowerIsBetter ? ", lower is better" : ""})` : "";
  return `etcd ${b !== undefined && Number.isFinite(b) ? b.toFixed(digits) : "n/a"} ${unit}${ratio}`;
};
console.log("# raft: shoal (3 processes, LMDB, mTLS) vs etcd 3.4.23 (3 members), loopback, 256-byte values");
report("sequential put p50", `${ours.p50!.toFixed(2)} ms`, beside("p50", "ms", 2, true));
report("sequential put p99", `${ours.p99!.toFixed(2)} ms`, beside("p99", "ms", 2, true));
for (const concurrency of [1, 16, 64]) report(`puts/s, ${concurrency} concurrent clients`, `${ours[`puts${concurrency}`]!.toFixed(0)}`, beside(`puts${concurrency}`, "", 0));
report(`failover, median of ${FAILOVERS}`, `${ours.failover!.toFixed(0)} ms`, `${beside("failover", "ms", 0, true)}; shoal min ${ours.failoverMin!.toFixed(0)} max ${ours.failoverMax!.toFixed(0)}`);
report(`member RSS after ${ENTRIES} entries`, `${ours.rss!.toFixed(0)} MiB (anonymous ${ours.rssAnon!.toFixed(0)}, file-backed ${ours.rssFile!.toFixed(0)})`, beside("rss", "MiB", 0, true));
report("disk fsync floor (raft-anchor fsync.mjs)", "", fsync);
process.exit(0);
