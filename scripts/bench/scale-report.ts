/**
 * The scale simulation's figures beside published ones (sources in
 * /work/shared/research/scale-anchors.md). The peers ran real containers on real machines; the
 * simulation measures the control plane alone (placement, raft, dispatch, status reports) on one
 * machine that also runs every simulated node.
 */
import { report } from "./stats.ts";

/** What one run of scale.ts measured. */
export interface ScaleFigures {
  nodes: number;
  tasks: number;
  joinMs: number;
  readyMs: number;
  createdMs: number;
  firstPlacedMs: number;
  /** Tasks handed to their nodes by the end (re-placements after a node was marked down count again). */
  placedCount: number;
  /** Tasks counted running by the end. */
  runningCount: number;
  /** First create request → every task on its node (NaN when not all were). */
  placedMs: number;
  placedSteadyPerSecond: number;
  /** First create request → every task counted running by a follower (NaN when not all were). */
  runningMs: number;
  /** First create request → the end of the measurement (all running, or the timeout). */
  windowMs: number;
  runningSteadyPerSecond: number;
  leaderCpuSeconds: number;
  /** write(2) calls and MiB the leader made from the first create to the end (files: the raft log, logs; sends on sockets are not counted). */
  leaderWrites: { calls: number; mib: number };
  followerCpuSeconds: number[];
  leaderRss: { before: number; after: number; peak: number };
  followerRss: { before: number; after: number; peak: number }[];
  /** Assignments messages the simulated nodes received from the first create to the end. */
  assignmentMessages: number;
  simCpuSeconds: number;
  simRssMiB: number;
}

/** A published figure: who, at what scale, what rate, and where it comes from. */
interface Anchor {
  name: string;
  scale: string;
  rate: string;
  source: string;
}

const ANCHORS: Anchor[] = [
  {
    name: "Docker Swarm (classic, 2015)",
    scale: "1,000 nodes, 30,000 containers, 1 manager",
    rate: "one `docker run` at a time: scheduling delay p50 230 ms, p99 400 ms",
    source: "docker.com/blog/scale-testing-docker-swarm-30000-containers",
  },
  {
    name: "Docker 1.12 swarm mode (Swarm2k, 2016)",
    scale: "2,384 nodes, 3 managers, ~95,000–100,000 tasks",
    rate: "no rate published (a community run; joining took hours)",
    source: "blog.scaleway.com/2016/docker-swarm-an-analysis-of-a-very-large-scale-container-system; sematext.com/blog/2016/10/18/docker-swarm-swarm3k",
  },
  {
    name: "Nomad 0.3.1 C1M (2016)",
    scale: "5,000 hosts, 1,000,000 containers, 5 servers",
    rate: "< 5 min: 3,750 placements/s",
    source: "hashicorp.com/c1m",
  },
  {
    name: "Nomad 1.0 C2M (2020)",
    scale: "6,100 hosts in 10 regions, 2,000,000 containers, 3 schedulers",
    rate: "22 min 14 s: ~1,500 containers/s",
    source: "hashicorp.com/c2m",
  },
];

/** Prints the published figures and where this run stands against them and the goal. */
export function printComparison(figures: ScaleFigures): void {
  const placedPerSecond = Number.isNaN(figures.placedMs) ? figures.placedCount / (figures.windowMs / 1000) : figures.tasks / (figures.placedMs / 1000);
  const runningPerSecond = Number.isNaN(figures.runningMs) ? figures.runningCount / (figures.windowMs / 1000) : figures.tasks / (figures.runningMs / 1000);
  console.log("# published figures (real containers on real machines; this run: the control plane only, nodes simulated on the same 2-core machine)");
  for (const anchor of ANCHORS) console.log(`  ${anchor.name.padEnd(40)} ${anchor.scale}; ${anchor.rate} [${anchor.source}]`);
  const vs = (rate: number, peer: number) => `${(rate / peer).toFixed(1)}×`;
  report(
    "shoal placements/s vs peers",
    `${Math.round(placedPerSecond).toLocaleString("en")}/s`,
    `${vs(placedPerSecond, 3750)} Nomad C1M, ${vs(placedPerSecond, 1500)} Nomad C2M; goal ≥ 20,000/s: ${placedPerSecond >= 20_000 ? "met" : "not met"}`,
  );
  report("shoal converged/s vs peers", `${Math.round(runningPerSecond).toLocaleString("en")}/s`, `${vs(runningPerSecond, 3750)} Nomad C1M (which counted placements, not running containers)`);
}
