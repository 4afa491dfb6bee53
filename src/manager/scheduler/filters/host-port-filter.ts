import { nodeCount, type Filter } from "./filter.ts";

/** A port published in host mode can be used by one task per node. */
export const hostPortFilter: Filter = {
  dynamic: true,
  enabled: (demand) => demand.hostPorts.length > 0,
  check: (demand, node) => demand.hostPorts.every((port) => !node.usesHostPort(port)),
  explain: (nodes) => `host-mode port already in use on ${nodeCount(nodes)}`,
};
