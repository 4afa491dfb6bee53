import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import { certificatesDir, writeFileAtomic } from "../pki/index.ts";
import type { RemoteManager } from "../manager/index.ts";

/** What a worker keeps about its place in the swarm: `<data-root>/swarm/worker.json`, written last at join. */
export interface WorkerState {
  nodeId: string;
  clusterId: string;
  /** The IP managers see this node at. */
  advertiseHost: string;
  /** The managers to open the session to (refreshed from every heartbeat). */
  managers: RemoteManager[];
  /** The `--listen-addr` given at join (or the demoted manager's), for a manager should the node be promoted. */
  listenAddr?: string;
}

function workerStatePath(dataRoot: string): string {
  return join(dataRoot, "swarm", "worker.json");
}

/** True when this data root holds a worker's membership to rejoin. */
export function hasWorkerState(dataRoot: string): boolean {
  return existsSync(workerStatePath(dataRoot));
}

/** Reads `swarm/worker.json`; a corrupt file is an error naming it. */
export async function readWorkerState(dataRoot: string): Promise<WorkerState> {
  const path = workerStatePath(dataRoot);
  try {
    const state = JSON.parse(await readFile(path, "utf8")) as WorkerState;
    if (typeof state.nodeId !== "string" || typeof state.clusterId !== "string" || !Array.isArray(state.managers)) throw new Error("missing fields");
    return state;
  } catch (error) {
    throw new ShoalError("failed_precondition", `corrupt ${path}: ${(error as Error).message}; leave the swarm with "docker swarm leave --force" and join again`, { cause: error });
  }
}

/** Writes `swarm/worker.json` atomically. */
export async function writeWorkerState(dataRoot: string, state: WorkerState): Promise<void> {
  await mkdir(join(dataRoot, "swarm"), { recursive: true, mode: 0o700 });
  await writeFileAtomic(workerStatePath(dataRoot), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}

/** Erases the worker's state and certificates: what leaving does. */
export async function removeWorkerState(dataRoot: string): Promise<void> {
  await rm(workerStatePath(dataRoot), { force: true }); // first: a crash halfway leaves nothing to rejoin
  await rm(join(dataRoot, "swarm"), { recursive: true, force: true });
  await rm(certificatesDir(dataRoot), { recursive: true, force: true });
}
