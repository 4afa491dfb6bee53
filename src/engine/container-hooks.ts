import { ShoalError } from "../lib/index.ts";
import type { ContainerRecord, EndpointSettings, NetworkSettings } from "./container-record.ts";

/** How a container is put on its networks; the node wires the network layer in. */
export interface ContainerNetworking {
  /** Prepares the container's network namespace before it starts. No netnsPath: a new, empty one. */
  attach(record: ContainerRecord): Promise<{ netnsPath?: string; settings: NetworkSettings }>;
  /** Releases what `attach` took (addresses, published ports, the namespace). */
  detach(record: ContainerRecord): Promise<void>;
  /** Joins a running container's namespace to one more network (`docker network connect`); returns its name and endpoint. */
  connect(record: ContainerRecord, network: string): Promise<{ name: string; endpoint: EndpointSettings }>;
  /** Leaves a network joined with {@link ContainerNetworking.connect}. */
  disconnect(record: ContainerRecord, network: string): Promise<string>;
}

/** Named volumes a container mounts (created on first use, as docker does). */
export interface VolumeProvider {
  /** The host directory of volume `name`, creating the volume when missing. */
  ensure(name: string): Promise<string>;
}

/** A network that gives the container only its own loopback (`--network none`, and the default until bridges exist). */
export const isolatedNetworking: ContainerNetworking = {
  attach: async () => ({ settings: { SandboxKey: "", Ports: {}, Networks: {} } }),
  detach: async () => {},
  connect: async (_record, network) => {
    throw new ShoalError("not_found", `network ${network} not found`);
  },
  disconnect: async (_record, network) => {
    throw new ShoalError("not_found", `network ${network} not found`);
  },
};
