/**
 * Deterministic simulation of whole raft clusters (3 and 5 members) under partitions, crashes that
 * lose unsynced writes, slow disks, message loss, duplication and reordering. A seed replays
 * exactly, alone or inside a batch: SHOAL_SIM_SEED=<n> bun test test/raft/simulation.test.ts.
 * SHOAL_SIM_SEEDS sets how many seeds run (default 1000; `make soak` runs many more from
 * SHOAL_SIM_FIRST).
 */
import { expect, test } from "bun:test";
import { MemoryRaftStorage } from "../../src/raft/storage/index.ts";
import { runSimulation, type SimResult } from "./sim/sim-run.ts";
import type { SimStorage } from "./sim/sim-cluster.ts";

const single = process.env.SHOAL_SIM_SEED;
const first = Number(single ?? process.env.SHOAL_SIM_FIRST ?? 1);
const count = single ? 1 : Number(process.env.SHOAL_SIM_SEEDS ?? 1000);
const storage = (sync: (complete: () => void) => void): SimStorage => new MemoryRaftStorage({ sync });

test(`raft keeps its safety properties and a linearizable history over ${count} seeds`, async () => {
  const results: SimResult[] = [];
  for (let seed = first; seed < first + count; seed++) results.push(await runSimulation(seed, { storage }));
  const total = (key: Exclude<keyof SimResult, "fingerprint">) => results.reduce((sum, result) => sum + result[key], 0);
  console.log(
    `simulated ${count} seeds: ${total("operations")} client operations (${total("reads")} reads, ${total("ambiguous")} ambiguous), ` +
      `${total("terms")} terms with a leader, ${total("crashes")} crashes, ${total("membershipChanges")} membership changes`,
  );
  expect(results.length).toBe(count);
  expect(total("operations")).toBeGreaterThan(count * 20);
  expect(total("terms")).toBeGreaterThan(count);
  expect(total("membershipChanges")).toBeGreaterThan(count / 4);

  // Replay: after the batch has warmed the engine up (JIT tiers, GC), seeds give the same run again.
  for (const result of [results[0]!, results[Math.floor(results.length / 2)]!, results.at(-1)!]) {
    const again = await runSimulation(result.seed, { storage });
    expect({ seed: again.seed, fingerprint: again.fingerprint }).toEqual({ seed: result.seed, fingerprint: result.fingerprint });
  }
}, 30 * 60_000);
