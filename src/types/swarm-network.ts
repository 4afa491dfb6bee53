/**
 * A swarm-scoped network as the managers store it (moby `api/types/swarm/network.go`).
 */
import type { Annotations, Driver, StoredObject } from "./swarm-meta.ts";

/** One IPAM pool. */
export interface IPAMConfig {
  Subnet?: string;
  Range?: string;
  Gateway?: string;
}

/** The IPAM driver and its pools. */
export interface IPAMOptions {
  Driver: Driver;
  Configs?: IPAMConfig[];
}

/** A network's desired state. */
export interface NetworkSpec extends Annotations {
  DriverConfiguration?: Driver;
  IPv6Enabled?: boolean;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  IPAMOptions?: IPAMOptions;
  ConfigFrom?: { Network: string };
  Scope?: "swarm";
}

/** A swarm network. */
export interface Network extends StoredObject {
  Spec: NetworkSpec;
  /** The driver and the options it allocated (e.g. the VXLAN ID). */
  DriverState: Driver;
  /** The pools the allocator chose. */
  IPAMOptions?: IPAMOptions;
}
