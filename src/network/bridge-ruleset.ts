/**
 * The nftables ruleset of all bridge networks, rendered from state as one `table ip shoal` that
 * replaces the previous one atomically (create-if-missing, delete, define, in one transaction):
 *
 * - nat prerouting/output: traffic to a local address (incl. 127.0.0.1 from the host itself) on a
 *   published port is DNATed to the container (Docker without userland-proxy);
 * - nat postrouting: masquerade of a network's traffic leaving through another interface (not for
 *   internal networks), and of loopback sources going out a bridge (needs route_localnet=1);
 * - filter forward: traffic inside a bridge passes; between two shoal bridges it is dropped
 *   (isolation); internal networks neither send nor receive forwarded traffic; a bridge receives
 *   only replies and DNATed (published) traffic; it may send anywhere.
 */
import type { PortProtocol } from "./published-ports.ts";

/** The nftables table (family ip) that holds every rule of shoal's bridge networks. */
export const BRIDGE_TABLE = "shoal";

/** A network as the rules see it. */
export interface RulesetNetwork {
  readonly bridgeName: string;
  readonly subnet: string;
  readonly internal: boolean;
}

/** A published port as the rules see it. */
export interface RulesetPortMapping {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly protocol: PortProtocol;
  readonly containerIp: string;
  readonly containerPort: number;
}

function quoted(name: string): string {
  return JSON.stringify(name);
}

function nameSet(names: readonly string[]): string {
  return names.length === 1 ? quoted(names[0]!) : `{ ${names.map(quoted).join(", ")} }`;
}

/** The rules of the given networks and port mappings, as text for `nft -f`. */
export function renderBridgeRuleset(networks: readonly RulesetNetwork[], mappings: readonly RulesetPortMapping[]): string {
  const bridges = networks.map((network) => network.bridgeName);
  const dnat = mappings.map((mapping) => {
    const destination = mapping.hostIp === "0.0.0.0" ? "" : `ip daddr ${mapping.hostIp} `;
    return `\t\t${destination}${mapping.protocol} dport ${mapping.hostPort} dnat to ${mapping.containerIp}:${mapping.containerPort}`;
  });
  const postrouting = networks.flatMap((network) => [
    `\t\toifname ${quoted(network.bridgeName)} ip saddr 127.0.0.0/8 masquerade`,
    ...(network.internal ? [] : [`\t\tip saddr ${network.subnet} oifname != ${quoted(network.bridgeName)} masquerade`]),
  ]);
  const forward = [
    ...networks.map((network) => `\t\tiifname ${quoted(network.bridgeName)} oifname ${quoted(network.bridgeName)} accept`),
    ...(bridges.length > 1 ? [`\t\tiifname ${nameSet(bridges)} oifname ${nameSet(bridges)} drop`] : []),
    ...networks.flatMap((network) => {
      const bridge = quoted(network.bridgeName);
      if (network.internal) return [`\t\tiifname ${bridge} drop`, `\t\toifname ${bridge} drop`];
      return [`\t\toifname ${bridge} ct state established,related accept`, `\t\toifname ${bridge} ct status dnat accept`, `\t\tiifname ${bridge} accept`, `\t\toifname ${bridge} drop`];
    }),
  ];
  return [
    `table ip ${BRIDGE_TABLE} {}`,
    `delete table ip ${BRIDGE_TABLE}`,
    `table ip ${BRIDGE_TABLE} {`,
    "\tchain prerouting {",
    "\t\ttype nat hook prerouting priority dstnat; policy accept;",
    "\t\tfib daddr type local jump published_ports",
    "\t}",
    "\tchain output {",
    "\t\ttype nat hook output priority -100; policy accept;",
    "\t\tfib daddr type local jump published_ports",
    "\t}",
    "\tchain published_ports {",
    ...dnat,
    "\t}",
    "\tchain postrouting {",
    "\t\ttype nat hook postrouting priority srcnat; policy accept;",
    ...postrouting,
    "\t}",
    "\tchain forward {",
    "\t\ttype filter hook forward priority filter; policy accept;",
    ...forward,
    "\t}",
    "}",
    "",
  ].join("\n");
}

/** Text that removes the table (when it exists) — for a host with no bridge networks left. */
export function renderBridgeRulesetRemoval(): string {
  return `table ip ${BRIDGE_TABLE} {}\ndelete table ip ${BRIDGE_TABLE}\n`;
}
