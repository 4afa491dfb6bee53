/**
 * The host's networks for the API: docker's predefined `none` and `host` plus the bridge networks
 * (opened on first use when the daemon runs with `--bridge none`), with the labels and options
 * docker keeps beside them in `<data-root>/network/network-meta.json`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NetworkResource, NetworkSource } from "../api/index.ts";
import { ShoalError, type Logger } from "../lib/index.ts";
import { BridgeNetworks, DEFAULT_NETWORK_NAME, nativeBridgeHost, type BridgeHost, type BridgeNetwork } from "../network/index.ts";
import { PREDEFINED_NETWORKS } from "./container-networking.ts";

const META_FILE = "network-meta.json";

/** The stable ID of a predefined network on this host (docker makes one up at install time). */
export function predefinedNetworkId(engineId: string, name: string): string {
  return createHash("sha256").update(`shoal predefined network ${name} ${engineId}`).digest("hex");
}

interface NetworkMeta {
  labels: Record<string, string>;
  options: Record<string, string>;
}

/** The bridge networks of this host, opened when first needed. */
export class HostNetworks implements NetworkSource {
  readonly #stateDir: string;
  readonly #engineId: string;
  readonly #host: () => BridgeHost;
  readonly #log: Logger;
  readonly #containerName: (id: string) => string;
  #bridges: BridgeNetworks | null = null;
  #created: string;

  constructor(options: { stateDir: string; engineId: string; logger: Logger; containerName: (id: string) => string; host?: () => BridgeHost }) {
    this.#stateDir = options.stateDir;
    this.#engineId = options.engineId;
    this.#log = options.logger;
    this.#host = options.host ?? (() => nativeBridgeHost());
    this.#containerName = options.containerName;
    this.#created = new Date().toISOString();
  }

  /** Opens the bridge networks now when asked to or when earlier runs left some (else on first create). */
  start(options: { defaultBridge: string | null }): void {
    if (options.defaultBridge !== null || existsSync(join(this.#stateDir, "bridge-networks.json"))) this.#open();
    if (options.defaultBridge === null || !this.#bridges) return;
    if (this.#bridges.list().some((network) => network.name === DEFAULT_NETWORK_NAME)) return;
    this.#bridges.create({ name: DEFAULT_NETWORK_NAME, bridgeName: options.defaultBridge, subnet: this.#defaultSubnet() });
  }

  /** The bridge networks if open. */
  bridges(): BridgeNetworks | null {
    return this.#bridges;
  }

  predefinedId(name: keyof typeof PREDEFINED_NETWORKS): string {
    return predefinedNetworkId(this.#engineId, name);
  }

  list(): NetworkResource[] {
    const bridges = this.#bridges?.list() ?? [];
    const defaults = bridges.filter((network) => network.name === DEFAULT_NETWORK_NAME);
    return [...defaults.map((network) => this.#resource(network)), ...this.#predefined(), ...bridges.filter((network) => network.name !== DEFAULT_NETWORK_NAME).map((network) => this.#resource(network))];
  }

  get(idOrName: string): NetworkResource {
    const all = this.list();
    const found =
      all.find((network) => network.Id === idOrName) ??
      all.find((network) => network.Name === idOrName) ??
      (() => {
        const matches = all.filter((network) => idOrName.length > 0 && network.Id.startsWith(idOrName));
        if (matches.length > 1) throw new ShoalError("invalid_argument", `network ${idOrName} is ambiguous (${matches.length} matches)`);
        return matches[0];
      })();
    if (!found) throw new ShoalError("not_found", `network ${idOrName} not found`);
    return found;
  }

  create(options: Parameters<NetworkSource["create"]>[0]): { Id: string; Warning: string } {
    if (options.Name in PREDEFINED_NETWORKS) throw new ShoalError("permission_denied", `${options.Name} is a pre-defined network and cannot be created`);
    if (this.list().some((network) => network.Name === options.Name)) throw new ShoalError("name_conflict", `network with name ${options.Name} already exists`);
    const known = new Set(["com.docker.network.bridge.name", "com.docker.network.driver.mtu"]);
    for (const key of Object.keys(options.Options)) {
      if (!known.has(key)) throw new ShoalError("unimplemented", `network option ${key} is not supported: use com.docker.network.bridge.name or com.docker.network.driver.mtu`);
    }
    const mtu = options.Options["com.docker.network.driver.mtu"];
    const bridges = this.#open();
    const network = bridges.create({
      name: options.Name,
      subnet: options.Subnet,
      gateway: options.Gateway,
      internal: options.Internal,
      bridgeName: options.Options["com.docker.network.bridge.name"],
      mtu: mtu === undefined ? undefined : Number(mtu),
    });
    this.#writeMeta({ ...this.#readMeta(), [network.id]: { labels: options.Labels, options: options.Options } });
    return { Id: network.id, Warning: "" };
  }

  remove(idOrName: string): void {
    const bridges = this.#bridges;
    if (!bridges) throw new ShoalError("not_found", `network ${idOrName} not found`);
    const network = bridges.network(idOrName);
    bridges.remove(network.id);
    const { [network.id]: _gone, ...rest } = this.#readMeta();
    this.#writeMeta(rest);
  }

  #open(): BridgeNetworks {
    this.#bridges ??= BridgeNetworks.open({ stateDir: this.#stateDir, host: this.#host(), logger: this.#log });
    return this.#bridges;
  }

  /** Docker's 172.17.0.0/16 unless another network holds it (then the pools' first free one). */
  #defaultSubnet(): string | undefined {
    const taken = (this.#bridges?.list() ?? []).some((network) => network.subnet.startsWith("172.17."));
    return taken ? undefined : "172.17.0.0/16";
  }

  #predefined(): NetworkResource[] {
    return (Object.entries(PREDEFINED_NETWORKS) as [keyof typeof PREDEFINED_NETWORKS, string][]).map(([name, driver]) => ({
      ...emptyResource(name, this.predefinedId(name), this.#created),
      Driver: driver,
      IPAM: { Driver: "default", Options: null, Config: [] },
    }));
  }

  #resource(network: BridgeNetwork): NetworkResource {
    const meta = this.#readMeta()[network.id];
    const endpoints = this.#bridges?.endpoints(network.id) ?? [];
    return {
      ...emptyResource(network.name, network.id, network.createdAt),
      Driver: "bridge",
      IPAM: { Driver: "default", Options: null, Config: [{ Subnet: network.subnet, Gateway: network.gateway }] },
      Internal: network.internal,
      Containers: Object.fromEntries(
        endpoints.map((endpoint) => [
          endpoint.containerId,
          {
            Name: this.#containerName(endpoint.containerId),
            EndpointID: endpoint.endpointId,
            MacAddress: endpoint.macAddress,
            IPv4Address: `${endpoint.ipAddress}/${endpoint.prefixLen}`,
            IPv6Address: "",
          },
        ]),
      ),
      Options: {
        ...(network.name === DEFAULT_NETWORK_NAME ? { "com.docker.network.bridge.default_bridge": "true" } : {}),
        ...(meta?.options ?? {}),
        "com.docker.network.bridge.name": network.bridgeName,
        "com.docker.network.driver.mtu": String(network.mtu),
      },
      Labels: meta?.labels ?? {},
    };
  }

  #readMeta(): Record<string, NetworkMeta> {
    const path = join(this.#stateDir, META_FILE);
    if (!existsSync(path)) return {};
    try {
      return JSON.parse(readFileSync(path, "utf8")) as Record<string, NetworkMeta>;
    } catch (error) {
      this.#log.warn("cannot read network labels", { path, error: (error as Error).message });
      return {};
    }
  }

  #writeMeta(meta: Record<string, NetworkMeta>): void {
    mkdirSync(this.#stateDir, { recursive: true, mode: 0o700 });
    const path = join(this.#stateDir, META_FILE);
    writeFileSync(`${path}.tmp`, JSON.stringify(meta, null, 2) + "\n", { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }
}

function emptyResource(name: string, id: string, created: string): NetworkResource {
  return {
    Name: name,
    Id: id,
    Created: created,
    Scope: "local",
    Driver: "",
    EnableIPv6: false,
    IPAM: { Driver: "default", Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
  };
}
