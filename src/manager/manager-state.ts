import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import { certificatesDir, decodePemBlocks, encodePem, writeFileAtomic } from "../pki/index.ts";
import type { StorageCipher } from "../raft/index.ts";
import type { SwarmAddresses } from "./swarm-addresses.ts";
import type { RemoteManager } from "./swarm-protocol.ts";

/** The folder under the data root that holds a manager's swarm state: `state.json`, the CA key, `raft/`. */
export const SWARM_DIR = "swarm";

/** What a node keeps about its place in the swarm, written last at init: its presence means "in a swarm". */
export interface SwarmState {
  nodeId: string;
  clusterId: string;
  addresses: SwarmAddresses;
  /** The managers known when this one joined: where to reach raft's leader before the store has caught up. */
  managers?: RemoteManager[];
}

/** The swarm folder of a data root. */
export function swarmDir(dataRoot: string): string {
  return join(dataRoot, SWARM_DIR);
}

/** Where the raft log, hard state and snapshots live. */
export function raftDir(dataRoot: string): string {
  return join(swarmDir(dataRoot), "raft");
}

function statePath(dataRoot: string): string {
  return join(swarmDir(dataRoot), "state.json");
}

function caKeyPath(dataRoot: string): string {
  return join(swarmDir(dataRoot), "swarm-root-ca.key");
}

/** True when this data root holds a complete swarm membership to restart from. */
export function hasSwarmState(dataRoot: string): boolean {
  return existsSync(statePath(dataRoot));
}

/** Reads `swarm/state.json`; a corrupt file is an error naming it. */
export async function readSwarmState(dataRoot: string): Promise<SwarmState> {
  const path = statePath(dataRoot);
  try {
    const state = JSON.parse(await readFile(path, "utf8")) as SwarmState;
    if (typeof state.nodeId !== "string" || typeof state.clusterId !== "string" || typeof state.addresses?.advertiseAddr !== "string") throw new Error("missing fields");
    return state;
  } catch (error) {
    throw new ShoalError("failed_precondition", `corrupt ${path}: ${(error as Error).message}; leave the swarm with "docker swarm leave --force" and init or join again`, { cause: error });
  }
}

/** Writes `swarm/state.json` atomically. */
export async function writeSwarmState(dataRoot: string, state: SwarmState): Promise<void> {
  await writeFileAtomic(statePath(dataRoot), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}

/** PEM block type of a root CA key sealed with the raft data key (autolock on). */
export const SEALED_CA_KEY_PEM_TYPE = "SHOAL SEALED CA KEY";

/**
 * Keeps the root CA's private key beside the swarm state (0600): the manager signs node certificates with it.
 * With `sealWith` (the raft data key's cipher, when autolock is on) it is stored sealed: the data key itself
 * is sealed by the unlock key in swarm-node.key, so the CA key opens only with the unlock key, and rotating
 * the unlock key rewrites one file only.
 */
export async function writeCaKey(dataRoot: string, keyPem: string, sealWith: StorageCipher | null = null): Promise<void> {
  const text = sealWith ? encodePem(sealWith.seal(new TextEncoder().encode(keyPem)), SEALED_CA_KEY_PEM_TYPE) : keyPem;
  await writeFileAtomic(caKeyPath(dataRoot), text, { mode: 0o600 });
}

/** The root CA's private key; a sealed one is opened with `cipher` (the raft data key's). */
export async function readCaKey(dataRoot: string, cipher: StorageCipher | null = null): Promise<string> {
  const path = caKeyPath(dataRoot);
  const text = await readFile(path, "utf8");
  const [sealed] = decodePemBlocks(text, SEALED_CA_KEY_PEM_TYPE);
  if (!sealed) return text;
  if (!cipher) throw new ShoalError("failed_precondition", `${path} is sealed and no raft data key was given to open it`);
  try {
    return new TextDecoder().decode(cipher.open(sealed));
  } catch (error) {
    throw new ShoalError("failed_precondition", `corrupt ${path}: it does not open with this node's raft data key; leave the swarm and join it again`, { cause: error });
  }
}

/** True when the stored root CA key is sealed (see {@link writeCaKey}). */
export async function isCaKeySealed(dataRoot: string): Promise<boolean> {
  return decodePemBlocks(await readFile(caKeyPath(dataRoot), "utf8"), SEALED_CA_KEY_PEM_TYPE).length > 0;
}

/** Erases the swarm state and the node's certificates: what leaving does. */
export async function removeSwarmState(dataRoot: string): Promise<void> {
  await rm(statePath(dataRoot), { force: true }); // first: a crash halfway leaves no half swarm to restart
  await rm(swarmDir(dataRoot), { recursive: true, force: true });
  await rm(certificatesDir(dataRoot), { recursive: true, force: true });
}

/** Erases what only a manager keeps (swarm state, raft log, CA key), keeping the node's certificates: a demotion. */
export async function eraseManagerState(dataRoot: string): Promise<void> {
  await rm(statePath(dataRoot), { force: true }); // first: a crash halfway leaves no half manager to restart
  await rm(raftDir(dataRoot), { recursive: true, force: true });
  await rm(caKeyPath(dataRoot), { force: true });
}
