/**
 * Containers on bridge networks: `ContainerNetworking` (what the engine calls when a container
 * starts and stops) over `BridgeNetworks`, mapping docker's `HostConfig.NetworkMode`,
 * `PortBindings` and `PublishAllPorts` to an endpoint and its published ports, and the endpoint
 * back to docker's `NetworkSettings`.
 */
import type { ContainerNetworking, ContainerRecord, EndpointSettings, NetworkSettings, PortBinding } from "../engine/index.ts";
import { ShoalError, type Logger } from "../lib/index.ts";
import { DEFAULT_NETWORK_NAME, type BridgeEndpoint, type BridgeNetwork, type BridgeNetworks, type PortProtocol, type PortPublishRequest, type PublishedPort } from "../network/index.ts";

/** Docker's predefined networks that are not bridges. */
export const PREDEFINED_NETWORKS = { none: "null", host: "host" } as const;

/** The network a container's `NetworkMode` names: none, host, or a bridge network (by name or ID). */
export function networkModeTarget(mode: string | undefined): { kind: "none" } | { kind: "host" } | { kind: "bridge"; network: string } {
  const value = mode ?? "";
  if (value === "none") return { kind: "none" };
  if (value === "host") return { kind: "host" };
  if (value === "" || value === "default" || value === "bridge") return { kind: "bridge", network: DEFAULT_NETWORK_NAME };
  if (value.startsWith("container:")) throw new ShoalError("unimplemented", `network mode ${value} is not supported yet: use a network (--network NAME) instead`);
  return { kind: "bridge", network: value };
}

function parsePortKey(key: string): { port: number; protocol: PortProtocol } {
  const match = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key.trim());
  if (!match) throw new ShoalError("invalid_argument", `invalid port ${JSON.stringify(key)}: use PORT/tcp or PORT/udp`);
  if (match[2] === "sctp") throw new ShoalError("unimplemented", `cannot publish ${key}: sctp is not supported; use tcp or udp`);
  return { port: Number(match[1]), protocol: (match[2] ?? "tcp") as PortProtocol };
}

function parseHostPort(value: string | undefined, key: string): number {
  const text = (value ?? "").trim();
  if (text === "") return 0;
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    if (range[1] !== range[2]) throw new ShoalError("unimplemented", `cannot publish ${key} on host ports ${text}: port ranges are not supported; give one port`);
    return Number(range[1]);
  }
  if (!/^\d+$/.test(text)) throw new ShoalError("invalid_argument", `invalid host port ${JSON.stringify(text)} for ${key}`);
  return Number(text);
}

/** What to publish for a container: its `PortBindings`, plus every exposed port on a free host port with `PublishAllPorts`. */
export function publishRequests(record: Pick<ContainerRecord, "Config" | "HostConfig">): PortPublishRequest[] {
  const requests: PortPublishRequest[] = [];
  const bindings = record.HostConfig.PortBindings ?? {};
  for (const [key, list] of Object.entries(bindings)) {
    const { port, protocol } = parsePortKey(key);
    for (const binding of list ?? []) {
      requests.push({ hostIp: binding.HostIp?.trim() || undefined, hostPort: parseHostPort(binding.HostPort, key), containerPort: port, protocol });
    }
  }
  if (record.HostConfig.PublishAllPorts) {
    for (const key of Object.keys(record.Config.ExposedPorts ?? {})) {
      if ((bindings[key] ?? []).length > 0) continue;
      const { port, protocol } = parsePortKey(key);
      requests.push({ hostPort: 0, containerPort: port, protocol });
    }
  }
  return requests;
}

/** Docker's `NetworkSettings.Ports`: every exposed or published port, with its host bindings (null when not published). */
export function portMap(exposed: readonly string[], published: readonly PublishedPort[]): Record<string, PortBinding[] | null> {
  const ports: Record<string, PortBinding[] | null> = {};
  for (const key of exposed) {
    const { port, protocol } = parsePortKey(key);
    ports[`${port}/${protocol}`] = null;
  }
  for (const entry of published) {
    const key = `${entry.containerPort}/${entry.protocol}`;
    ports[key] = [...(ports[key] ?? []), { HostIp: entry.hostIp, HostPort: String(entry.hostPort) }];
  }
  return ports;
}

/** Docker's `NetworkSettings.Networks[name]` for an endpoint. */
export function endpointSettings(endpoint: BridgeEndpoint): EndpointSettings {
  return {
    NetworkID: endpoint.networkId,
    EndpointID: endpoint.endpointId,
    Gateway: endpoint.gateway,
    IPAddress: endpoint.ipAddress,
    IPPrefixLen: endpoint.prefixLen,
    MacAddress: endpoint.macAddress,
    Aliases: null,
  };
}

/** Docker's `NetworkSettings` of a container with one endpoint on `network`. */
export function bridgeSettings(network: Pick<BridgeNetwork, "name">, endpoint: BridgeEndpoint, exposed: readonly string[]): NetworkSettings {
  return { SandboxKey: endpoint.netnsPath, Ports: portMap(exposed, endpoint.publishedPorts), Networks: { [network.name]: endpointSettings(endpoint) } };
}

/** Options of {@link bridgeNetworking}. */
export interface BridgeNetworkingOptions {
  /** The bridge networks (null with `--bridge none` and no user network yet). */
  bridges(): BridgeNetworks | null;
  /** ID of the predefined `host` and `none` networks. */
  predefinedId(name: keyof typeof PREDEFINED_NETWORKS): string;
  logger: Logger;
}

/** The engine's networking over bridge networks; `none` stays isolated and `host` shares the daemon's namespace. */
export function bridgeNetworking(options: BridgeNetworkingOptions): ContainerNetworking {
  const log = options.logger.with({ module: "container-networking" });
  const detachAll = (bridges: BridgeNetworks, containerId: string) => {
    for (const endpoint of bridges.endpoints().filter((candidate) => candidate.containerId === containerId)) {
      try {
        bridges.disconnect(endpoint.endpointId);
      } catch (error) {
        if (!(error instanceof ShoalError && error.code === "not_found")) throw error;
      }
    }
  };
  const emptyEndpoint = (name: keyof typeof PREDEFINED_NETWORKS): EndpointSettings => ({
    NetworkID: options.predefinedId(name),
    EndpointID: "",
    Gateway: "",
    IPAddress: "",
    IPPrefixLen: 0,
    MacAddress: "",
    Aliases: null,
  });
  return {
    async attach(record): Promise<{ netnsPath?: string; settings: NetworkSettings }> {
      const target = networkModeTarget(record.HostConfig.NetworkMode);
      if (target.kind === "none") return { settings: { SandboxKey: "", Ports: {}, Networks: { none: emptyEndpoint("none") } } };
      if (target.kind === "host") {
        if (Object.keys(record.HostConfig.PortBindings ?? {}).length > 0) log.warn("published ports are discarded when using host network mode", { container: record.Id.slice(0, 12) });
        return { netnsPath: `/proc/${process.pid}/ns/net`, settings: { SandboxKey: "", Ports: {}, Networks: { host: emptyEndpoint("host") } } };
      }
      const bridges = options.bridges();
      if (!bridges) {
        if (target.network === DEFAULT_NETWORK_NAME) return { settings: { SandboxKey: "", Ports: {}, Networks: {} } }; // --bridge none: no default network
        throw new ShoalError("not_found", `network ${target.network} not found`);
      }
      let network: BridgeNetwork;
      try {
        network = bridges.network(target.network);
      } catch (error) {
        if (error instanceof ShoalError && error.code === "not_found" && target.network === DEFAULT_NETWORK_NAME) {
          return { settings: { SandboxKey: "", Ports: {}, Networks: {} } };
        }
        throw error;
      }
      detachAll(bridges, record.Id); // left by a crash between start and stop
      const endpoint = bridges.connect(network.id, { containerId: record.Id, publishedPorts: publishRequests(record) });
      const settings = bridgeSettings(network, endpoint, Object.keys(record.Config.ExposedPorts ?? {}));
      for (const name of record.ExtraNetworks ?? []) {
        try {
          const extra = bridges.network(name);
          settings.Networks[extra.name] = endpointSettings(bridges.connect(extra.id, { containerId: record.Id, netnsPath: endpoint.netnsPath }));
        } catch (error) {
          log.warn("a connected network is gone; the container starts without it", { container: record.Id.slice(0, 12), network: name, error: String(error) });
        }
      }
      return { netnsPath: endpoint.netnsPath, settings };
    },
    async connect(record, name) {
      const bridges = options.bridges();
      if (!bridges) throw new ShoalError("not_found", `network ${name} not found`);
      const network = bridges.network(name);
      const own = bridges.endpoints().find((candidate) => candidate.containerId === record.Id);
      const netnsPath = own?.netnsPath ?? (record.NetworkSettings.SandboxKey || undefined);
      if (!netnsPath) throw new ShoalError("failed_precondition", `container ${record.Name.slice(1)} has no network namespace of its own to connect to ${network.name}`);
      return { name: network.name, endpoint: endpointSettings(bridges.connect(network.id, { containerId: record.Id, netnsPath })) };
    },
    async disconnect(record, name) {
      const bridges = options.bridges();
      if (!bridges) throw new ShoalError("not_found", `network ${name} not found`);
      const network = bridges.network(name);
      const primary = networkModeTarget(record.HostConfig.NetworkMode);
      if (primary.kind === "bridge" && (primary.network === network.name || primary.network === network.id)) {
        throw new ShoalError("failed_precondition", `container ${record.Name.slice(1)} runs on network ${network.name} (its network mode): stop it before disconnecting`);
      }
      const endpoint = bridges.endpoints(network.id).find((candidate) => candidate.containerId === record.Id);
      if (!endpoint) throw new ShoalError("not_found", `container ${record.Id.slice(0, 12)} is not connected to network ${network.name}`);
      bridges.disconnect(endpoint.endpointId);
      return network.name;
    },
    async detach(record) {
      const bridges = options.bridges();
      if (bridges) detachAll(bridges, record.Id);
    },
  };
}
