/**
 * The parts every swarm object shares, with the Engine API's field names (moby `api/types/swarm/common.go`).
 */
import type { ObjectVersion } from "./system.ts";

/** When an object was created and last changed (RFC 3339), and the raft index of that change. */
export interface Meta {
  Version: ObjectVersion;
  CreatedAt: string;
  UpdatedAt: string;
}

/** What every object in the cluster store has: an ID and its {@link Meta}. */
export interface StoredObject extends Meta {
  ID: string;
}

/** A user-given name and labels. */
export interface Annotations {
  Name: string;
  Labels: Record<string, string>;
}

/** A plugin driver and its options (log driver, network driver, IPAM driver). */
export interface Driver {
  Name: string;
  Options?: Record<string, string>;
}

/** An OS and CPU architecture pair. */
export interface Platform {
  Architecture: string;
  OS: string;
}

/** CPU (in billionths of a CPU) and memory (bytes). */
export interface Resources {
  NanoCPUs?: number;
  MemoryBytes?: number;
  GenericResources?: GenericResource[];
}

/** A user-defined resource a node offers (`--generic-resource`). */
export type GenericResource =
  | { NamedResourceSpec: { Kind: string; Value: string } }
  | { DiscreteResourceSpec: { Kind: string; Value: number } };
