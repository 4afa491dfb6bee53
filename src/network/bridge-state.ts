/**
 * What the bridge driver remembers across daemon restarts: its networks and their endpoints (with
 * addresses and published ports), kept in one JSON file written atomically (temp file, fsync,
 * rename). Address allocations are not stored apart: an address is in use when an endpoint holds it.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import type { PublishedPort } from "./published-ports.ts";

/** A bridge network as stored. */
export interface BridgeNetworkRecord {
  readonly id: string;
  readonly name: string;
  /** CIDR, e.g. 172.18.0.0/16. */
  readonly subnet: string;
  readonly gateway: string;
  /** No traffic to or from outside the network (no masquerade, no forwarding). */
  readonly internal: boolean;
  readonly bridgeName: string;
  readonly mtu: number;
  readonly createdAt: string;
}

/** A container's attachment to a bridge network as stored. */
export interface EndpointRecord {
  readonly id: string;
  readonly networkId: string;
  readonly containerId: string;
  readonly netnsPath: string;
  /** True when shoal made the namespace (and so removes it on disconnect). */
  readonly ownsNetns: boolean;
  readonly hostVeth: string;
  /** The interface inside the container (eth0, eth1, …). */
  readonly interfaceName: string;
  readonly ipAddress: string;
  readonly macAddress: string;
  readonly publishedPorts: readonly PublishedPort[];
}

/** Everything the bridge driver stores. */
export interface BridgeState {
  readonly networks: readonly BridgeNetworkRecord[];
  readonly endpoints: readonly EndpointRecord[];
}

const FILE_NAME = "bridge-networks.json";
const FORMAT_VERSION = 1;

/** An empty state. */
export const EMPTY_BRIDGE_STATE: BridgeState = { networks: [], endpoints: [] };

/** Reads the state kept in `stateDir` (empty when there is none yet). */
export function loadBridgeState(stateDir: string): BridgeState {
  const path = join(stateDir, FILE_NAME);
  if (!existsSync(path)) return EMPTY_BRIDGE_STATE;
  let parsed: { version?: unknown; networks?: unknown; endpoints?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ShoalError("internal", `cannot read the bridge network state ${path}: ${(error as Error).message}; restore it from a backup or remove it`, { cause: error });
  }
  if (parsed.version !== FORMAT_VERSION || !Array.isArray(parsed.networks) || !Array.isArray(parsed.endpoints)) {
    throw new ShoalError("internal", `the bridge network state ${path} has an unknown format (version ${String(parsed.version)})`);
  }
  return { networks: parsed.networks as BridgeNetworkRecord[], endpoints: parsed.endpoints as EndpointRecord[] };
}

/** Writes `state` to `stateDir` so that a crash leaves either the old or the new file. */
export function saveBridgeState(stateDir: string, state: BridgeState): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, FILE_NAME);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify({ version: FORMAT_VERSION, ...state }, null, 2) + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const dir = openSync(stateDir, "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
