/**
 * Local bridge networks (Docker's `bridge` driver): networks with their Linux bridge, containers
 * connected by veth pairs in their own network namespaces, NAT to the outside, isolation between
 * networks and published ports — remembered in a state directory and restored after a restart.
 *
 * Every operation is synchronous: it works out the next state, makes the kernel match it, then
 * writes it down; a failure undoes its kernel steps and leaves state and rules as they were.
 */
import { randomBytes } from "node:crypto";
import { ShoalError, silentLogger, type Logger } from "../lib/index.ts";
import { bridgeNameFor, checkInterfaceName, containerNetnsName, hostVethName, macForAddress, DEFAULT_NETNS_NAME_PREFIX } from "./bridge-naming.ts";
import type { BridgeHost, EndpointLink } from "./bridge-host.ts";
import { renderBridgeRuleset, renderBridgeRulesetRemoval } from "./bridge-ruleset.ts";
import { loadBridgeState, saveBridgeState, type BridgeNetworkRecord, type BridgeState, type EndpointRecord } from "./bridge-state.ts";
import { allocateAddress, checkNoOverlap, chooseGateway, chooseSubnet, type AddressPool } from "./ipam.ts";
import { formatIpv4, formatSubnet, parseIpv4, parseSubnet, type Ipv4Subnet } from "./ipv4.ts";
import { resolvePublishRequests, type PortProtocol, type PortPublishRequest, type PublishedPort } from "./published-ports.ts";

/** What a new bridge network should be; everything but the name has a default. */
export interface BridgeNetworkSpec {
  readonly name: string;
  /** The network's ID (64 hex digits are made up when absent). */
  readonly id?: string;
  /** CIDR; by default the first free subnet of the default pools. */
  readonly subnet?: string;
  /** By default the first host address of the subnet. */
  readonly gateway?: string;
  /** Containers reach only each other: no masquerade, no forwarding in or out. */
  readonly internal?: boolean;
  /** The Linux bridge (`com.docker.network.bridge.name`); default shoal0 / shbr-<id 10>. */
  readonly bridgeName?: string;
  readonly mtu?: number;
}

/** A bridge network as it is. */
export type BridgeNetwork = BridgeNetworkRecord;

/** What connecting a container to a network needs. */
export interface ConnectRequest {
  readonly containerId: string;
  /** The container's network namespace; by default /run/netns/shoal-<container id 12> is made (and removed on disconnect). */
  readonly netnsPath?: string;
  /** A fixed address inside the subnet (Docker's --ip); by default the lowest free one. */
  readonly ipAddress?: string;
  readonly publishedPorts?: readonly PortPublishRequest[];
}

/** A container's attachment to a network, with everything its configuration needs. */
export interface BridgeEndpoint {
  readonly endpointId: string;
  readonly networkId: string;
  readonly containerId: string;
  readonly netnsPath: string;
  /** The interface inside the namespace: eth0 for the first network, eth1 for the next… */
  readonly interfaceName: string;
  readonly ipAddress: string;
  readonly prefixLen: number;
  readonly gateway: string;
  readonly macAddress: string;
  readonly publishedPorts: readonly PublishedPort[];
}

/** A port to take back: the host side of a published port (hostIp defaults to 0.0.0.0, protocol to tcp). */
export interface UnpublishRequest {
  readonly hostIp?: string;
  readonly hostPort: number;
  readonly protocol?: PortProtocol;
}

/** Options of {@link BridgeNetworks.open}. */
export interface BridgeNetworksOptions {
  /** Where the state file lives (e.g. <data-root>/network). */
  readonly stateDir: string;
  /** The kernel to act on (`nativeBridgeHost()` in the daemon). */
  readonly host: BridgeHost;
  readonly logger?: Logger;
  /** Name prefix of the namespaces made for containers (default `shoal-`). */
  readonly netnsNamePrefix?: string;
  /** Pools new networks take their subnet from (default: Docker's). */
  readonly addressPools?: readonly AddressPool[];
}

const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const DEFAULT_MTU = 1500;

function newHexId(): string {
  return randomBytes(32).toString("hex");
}

function subnetOf(network: BridgeNetworkRecord): Ipv4Subnet {
  return parseSubnet(network.subnet);
}

/** The bridge networks of this host. Make one with {@link BridgeNetworks.open}. */
export class BridgeNetworks {
  readonly #stateDir: string;
  readonly #host: BridgeHost;
  readonly #log: Logger;
  readonly #netnsNamePrefix: string;
  readonly #pools: readonly AddressPool[] | undefined;
  #state: BridgeState;

  private constructor(options: BridgeNetworksOptions, state: BridgeState) {
    this.#stateDir = options.stateDir;
    this.#host = options.host;
    this.#log = (options.logger ?? silentLogger).with({ module: "network/bridge" });
    this.#netnsNamePrefix = options.netnsNamePrefix ?? DEFAULT_NETNS_NAME_PREFIX;
    this.#pools = options.addressPools;
    this.#state = state;
  }

  /**
   * Reads the state in `stateDir` and makes the kernel match it: missing bridges, veth pairs and
   * rules are made again, existing ones kept; endpoints whose namespace is gone are released.
   */
  static open(options: BridgeNetworksOptions): BridgeNetworks {
    const networks = new BridgeNetworks(options, loadBridgeState(options.stateDir));
    networks.#restore();
    return networks;
  }

  /** Every network, oldest first. */
  list(): BridgeNetwork[] {
    return [...this.#state.networks];
  }

  /** The network with this ID, unique ID prefix or name; not_found otherwise. */
  network(idOrName: string): BridgeNetwork {
    const networks = this.#state.networks;
    const found =
      networks.find((network) => network.id === idOrName) ??
      networks.find((network) => network.name === idOrName) ??
      (() => {
        const matches = networks.filter((network) => idOrName.length > 0 && network.id.startsWith(idOrName));
        if (matches.length > 1) throw new ShoalError("invalid_argument", `network ${idOrName} is ambiguous (${matches.length} matches); use more of its ID`);
        return matches[0];
      })();
    if (!found) throw new ShoalError("not_found", `network ${idOrName} not found`);
    return found;
  }

  /** The endpoints of one network, or of all. */
  endpoints(networkIdOrName?: string): BridgeEndpoint[] {
    const networkId = networkIdOrName === undefined ? null : this.network(networkIdOrName).id;
    return this.#state.endpoints.filter((endpoint) => networkId === null || endpoint.networkId === networkId).map((endpoint) => this.#view(endpoint));
  }

  /** One endpoint by ID; not_found otherwise. */
  endpoint(endpointId: string): BridgeEndpoint {
    return this.#view(this.#endpointRecord(endpointId));
  }

  /** Creates a network and its bridge (up, with the gateway address) and updates the rules. */
  create(spec: BridgeNetworkSpec): BridgeNetwork {
    const record = this.#newNetworkRecord(spec);
    const subnet = parseSubnet(record.subnet);
    this.#host.ensureBridge({ name: record.bridgeName, gateway: record.gateway, prefixLength: subnet.prefixLength, mtu: record.mtu });
    try {
      this.#host.enableIpForwarding();
      this.#commit({ ...this.#state, networks: [...this.#state.networks, record] });
    } catch (error) {
      this.#undo("delete bridge", () => this.#host.deleteBridge(record.bridgeName));
      throw error;
    }
    this.#log.info("network created", { "network.id": record.id, "network.name": record.name, subnet: record.subnet, bridge: record.bridgeName });
    return record;
  }

  /** Removes a network and its bridge; refused while containers are connected. */
  remove(idOrName: string): void {
    const network = this.network(idOrName);
    const attached = this.#state.endpoints.filter((endpoint) => endpoint.networkId === network.id).length;
    if (attached > 0) {
      throw new ShoalError(
        "failed_precondition",
        `error while removing network: network ${network.name} id ${network.id} has active endpoints (${attached}); disconnect or remove its containers first`,
      );
    }
    this.#commit({ ...this.#state, networks: this.#state.networks.filter((other) => other.id !== network.id) });
    this.#undo("delete bridge", () => this.#host.deleteBridge(network.bridgeName));
    this.#log.info("network removed", { "network.id": network.id, "network.name": network.name });
  }

  /** Connects a container: namespace (made unless given), veth pair, address, default route, ports. */
  connect(networkIdOrName: string, request: ConnectRequest): BridgeEndpoint {
    const network = this.network(networkIdOrName);
    containerNetnsName(request.containerId); // validates the ID
    if (this.#state.endpoints.some((endpoint) => endpoint.networkId === network.id && endpoint.containerId === request.containerId)) {
      throw new ShoalError("already_exists", `endpoint with name ${request.containerId} already exists in network ${network.name}`);
    }
    const subnet = subnetOf(network);
    const used = new Set([parseIpv4(network.gateway), ...this.#state.endpoints.filter((e) => e.networkId === network.id).map((e) => parseIpv4(e.ipAddress))]);
    const ipAddress = formatIpv4(allocateAddress(subnet, used, request.ipAddress, network.name));
    const publishedPorts = resolvePublishRequests(request.publishedPorts ?? [], this.#allPublishedPorts());
    const netns = this.#containerNetns(request);
    let endpointId = newHexId();
    while (this.#state.endpoints.some((endpoint) => endpoint.hostVeth === hostVethName(endpointId))) endpointId = newHexId();
    const record: EndpointRecord = {
      id: endpointId,
      networkId: network.id,
      containerId: request.containerId,
      netnsPath: netns.path,
      ownsNetns: netns.owned,
      hostVeth: hostVethName(endpointId),
      interfaceName: this.#freeInterfaceName(netns.path),
      ipAddress,
      macAddress: macForAddress(ipAddress),
      publishedPorts,
    };
    try {
      if (netns.create) this.#host.createNetns(netns.name);
      this.#host.ensureEndpointLink(this.#link(record, network));
      this.#commit({ ...this.#state, endpoints: [...this.#state.endpoints, record] });
    } catch (error) {
      this.#undo("delete veth", () => this.#host.deleteEndpointLink(record.hostVeth));
      if (netns.create) this.#undo("delete netns", () => this.#host.deleteNetns(netns.path));
      throw error;
    }
    this.#log.info("endpoint connected", { "network.id": network.id, "container.id": record.containerId, "endpoint.id": record.id, ip: ipAddress });
    return this.#view(record);
  }

  /** Disconnects an endpoint: its ports, veth pair, address and (when shoal made it) namespace go. */
  disconnect(endpointId: string): void {
    const record = this.#endpointRecord(endpointId);
    const endpoints = this.#state.endpoints.filter((endpoint) => endpoint.id !== record.id);
    this.#commit({ ...this.#state, endpoints });
    this.#undo("delete veth", () => this.#host.deleteEndpointLink(record.hostVeth));
    if (record.ownsNetns && !endpoints.some((endpoint) => endpoint.netnsPath === record.netnsPath)) {
      this.#undo("delete netns", () => this.#host.deleteNetns(record.netnsPath));
    }
    this.#log.info("endpoint disconnected", { "endpoint.id": record.id, "container.id": record.containerId });
  }

  /** Publishes container ports of an endpoint on the host; returns them with host ports resolved. */
  publish(endpointId: string, requests: readonly PortPublishRequest[]): PublishedPort[] {
    const record = this.#endpointRecord(endpointId);
    const added = resolvePublishRequests(requests, this.#allPublishedPorts());
    this.#replaceEndpoint({ ...record, publishedPorts: [...record.publishedPorts, ...added] });
    return added;
  }

  /** Takes back published ports of an endpoint (all of them when `ports` is omitted). */
  unpublish(endpointId: string, ports?: readonly UnpublishRequest[]): void {
    const record = this.#endpointRecord(endpointId);
    const matches = (port: PublishedPort) =>
      ports === undefined ||
      ports.some((request) => port.hostPort === request.hostPort && port.protocol === (request.protocol ?? "tcp") && port.hostIp === (request.hostIp ?? "0.0.0.0"));
    this.#replaceEndpoint({ ...record, publishedPorts: record.publishedPorts.filter((port) => !matches(port)) });
  }

  #newNetworkRecord(spec: BridgeNetworkSpec): BridgeNetworkRecord {
    if (!NETWORK_NAME.test(spec.name)) {
      throw new ShoalError("invalid_argument", `invalid network name ${JSON.stringify(spec.name)}: use letters, digits, '_', '.' and '-', starting with a letter or digit`);
    }
    if (this.#state.networks.some((network) => network.name === spec.name)) throw new ShoalError("name_conflict", `network with name ${spec.name} already exists`);
    const id = spec.id ?? newHexId();
    if (!/^[0-9a-z]{12,64}$/.test(id) || this.#state.networks.some((network) => network.id === id)) {
      throw new ShoalError("invalid_argument", `invalid or duplicate network ID ${JSON.stringify(id)}`);
    }
    const taken = this.#state.networks.map((network) => ({ subnet: subnetOf(network), name: network.name }));
    const subnet = spec.subnet === undefined ? chooseSubnet(taken.map((entry) => entry.subnet), this.#pools) : parseSubnet(spec.subnet);
    if (subnet.prefixLength > 30) throw new ShoalError("invalid_argument", `invalid subnet ${formatSubnet(subnet)}: it must have room for a gateway and containers (/30 or larger)`);
    checkNoOverlap(subnet, taken);
    const gateway = formatIpv4(chooseGateway(subnet, spec.gateway));
    const bridgeName = spec.bridgeName ?? bridgeNameFor(id, spec.name);
    checkInterfaceName(bridgeName);
    const sameBridge = this.#state.networks.find((network) => network.bridgeName === bridgeName);
    if (sameBridge) throw new ShoalError("name_conflict", `bridge ${bridgeName} already belongs to network ${sameBridge.name}; choose another bridge name`);
    const mtu = spec.mtu ?? DEFAULT_MTU;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new ShoalError("invalid_argument", `invalid MTU ${mtu}: use 68 to 65535`);
    return { id, name: spec.name, subnet: formatSubnet(subnet), gateway, internal: spec.internal ?? false, bridgeName, mtu, createdAt: new Date().toISOString() };
  }

  #containerNetns(request: ConnectRequest): { path: string; name: string; owned: boolean; create: boolean } {
    if (request.netnsPath !== undefined) {
      if (!this.#host.netnsExists(request.netnsPath)) throw new ShoalError("not_found", `network namespace ${request.netnsPath} does not exist`);
      const sharing = this.#state.endpoints.find((endpoint) => endpoint.netnsPath === request.netnsPath);
      return { path: request.netnsPath, name: "", owned: sharing?.ownsNetns ?? false, create: false };
    }
    const name = containerNetnsName(request.containerId, this.#netnsNamePrefix);
    const path = `/run/netns/${name}`;
    const known = this.#state.endpoints.some((endpoint) => endpoint.netnsPath === path);
    return { path, name, owned: true, create: !known && !this.#host.netnsExists(path) };
  }

  #freeInterfaceName(netnsPath: string): string {
    const used = new Set(this.#state.endpoints.filter((endpoint) => endpoint.netnsPath === netnsPath).map((endpoint) => endpoint.interfaceName));
    let index = 0;
    while (used.has(`eth${index}`)) index++;
    return `eth${index}`;
  }

  #endpointRecord(endpointId: string): EndpointRecord {
    const record = this.#state.endpoints.find((endpoint) => endpoint.id === endpointId);
    if (!record) throw new ShoalError("not_found", `endpoint ${endpointId} not found`);
    return record;
  }

  #replaceEndpoint(record: EndpointRecord): void {
    this.#commit({ ...this.#state, endpoints: this.#state.endpoints.map((endpoint) => (endpoint.id === record.id ? record : endpoint)) });
  }

  #allPublishedPorts(): PublishedPort[] {
    return this.#state.endpoints.flatMap((endpoint) => endpoint.publishedPorts);
  }

  #link(record: EndpointRecord, network: BridgeNetworkRecord): EndpointLink {
    return {
      hostVeth: record.hostVeth,
      bridgeName: network.bridgeName,
      netnsPath: record.netnsPath,
      interfaceName: record.interfaceName,
      ipAddress: record.ipAddress,
      prefixLength: subnetOf(network).prefixLength,
      gateway: network.gateway,
      macAddress: record.macAddress,
      mtu: network.mtu,
    };
  }

  #view(record: EndpointRecord): BridgeEndpoint {
    const network = this.network(record.networkId);
    return {
      endpointId: record.id,
      networkId: record.networkId,
      containerId: record.containerId,
      netnsPath: record.netnsPath,
      interfaceName: record.interfaceName,
      ipAddress: record.ipAddress,
      prefixLen: subnetOf(network).prefixLength,
      gateway: network.gateway,
      macAddress: record.macAddress,
      publishedPorts: record.publishedPorts,
    };
  }

  /** Makes the rules match `next`, writes it down, and only then adopts it. */
  #commit(next: BridgeState): void {
    this.#applyRules(next);
    try {
      saveBridgeState(this.#stateDir, next);
    } catch (error) {
      this.#undo("restore rules", () => this.#applyRules(this.#state));
      throw new ShoalError("internal", `cannot write the bridge network state in ${this.#stateDir}: ${(error as Error).message}`, { cause: error });
    }
    this.#state = next;
  }

  #applyRules(state: BridgeState): void {
    if (state.networks.length === 0) {
      this.#host.applyRules(renderBridgeRulesetRemoval());
      return;
    }
    const byId = new Map(state.networks.map((network) => [network.id, network]));
    const mappings = state.endpoints.flatMap((endpoint) =>
      byId.has(endpoint.networkId) ? endpoint.publishedPorts.map((port) => ({ ...port, containerIp: endpoint.ipAddress })) : [],
    );
    this.#host.applyRules(renderBridgeRuleset(state.networks, mappings));
  }

  /** Runs a clean-up step; a failure is logged, not thrown (the step it cleans up after matters more). */
  #undo(what: string, step: () => void): void {
    try {
      step();
    } catch (error) {
      this.#log.warn(`could not ${what}`, { error: (error as Error).message });
    }
  }

  #restore(): void {
    const networks = this.#state.networks;
    for (const network of networks) {
      try {
        this.#host.ensureBridge({ name: network.bridgeName, gateway: network.gateway, prefixLength: subnetOf(network).prefixLength, mtu: network.mtu });
      } catch (error) {
        this.#log.error("cannot restore bridge", { "network.id": network.id, bridge: network.bridgeName, error: (error as Error).message });
      }
    }
    const live: EndpointRecord[] = [];
    for (const endpoint of this.#state.endpoints) {
      const network = networks.find((candidate) => candidate.id === endpoint.networkId);
      if (!network || !this.#host.netnsExists(endpoint.netnsPath)) {
        this.#log.info("releasing endpoint whose namespace is gone", { "endpoint.id": endpoint.id, "container.id": endpoint.containerId });
        this.#undo("delete veth", () => this.#host.deleteEndpointLink(endpoint.hostVeth));
        continue;
      }
      try {
        this.#host.ensureEndpointLink(this.#link(endpoint, network));
      } catch (error) {
        this.#log.error("cannot restore endpoint", { "endpoint.id": endpoint.id, "container.id": endpoint.containerId, error: (error as Error).message });
      }
      live.push(endpoint);
    }
    if (networks.length > 0) this.#host.enableIpForwarding();
    const next = { ...this.#state, endpoints: live };
    if (live.length !== this.#state.endpoints.length) this.#commit(next);
    else this.#applyRules(next);
  }
}
