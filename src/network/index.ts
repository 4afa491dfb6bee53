/** network: local bridge networks (bridge, veth, NAT, isolation, published ports) on the host's kernel. */
export { BridgeNetworks } from "./bridge-networks.ts";
export type { BridgeEndpoint, BridgeNetwork, BridgeNetworkSpec, BridgeNetworksOptions, ConnectRequest, UnpublishRequest } from "./bridge-networks.ts";
export { nativeBridgeHost } from "./bridge-host.ts";
export type { BridgeHost, BridgeLink, EndpointLink } from "./bridge-host.ts";
export { DEFAULT_BRIDGE_NAME, DEFAULT_NETWORK_NAME, bridgeNameFor, containerNetnsName, hostVethName, macForAddress } from "./bridge-naming.ts";
export { BRIDGE_TABLE, renderBridgeRuleset } from "./bridge-ruleset.ts";
export type { RulesetNetwork, RulesetPortMapping } from "./bridge-ruleset.ts";
export type { BridgeNetworkRecord, EndpointRecord } from "./bridge-state.ts";
export { DEFAULT_ADDRESS_POOLS, allocateAddress, checkNoOverlap, chooseGateway, chooseSubnet, hostRange, poolSubnets } from "./ipam.ts";
export type { AddressPool } from "./ipam.ts";
export { formatIpv4, formatSubnet, parseIpv4, parseSubnet, subnetContains, subnetsOverlap, tryParseIpv4 } from "./ipv4.ts";
export type { Ipv4Subnet } from "./ipv4.ts";
export { EPHEMERAL_PORTS, portsClash, resolvePublishRequests } from "./published-ports.ts";
export type { PortProtocol, PortPublishRequest, PublishedPort } from "./published-ports.ts";
