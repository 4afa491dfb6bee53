import { matchesConstraints } from "../constraints.ts";
import { nodeCount, type Filter } from "./filter.ts";

/** The node must satisfy every placement constraint. */
export const constraintFilter: Filter = {
  dynamic: false,
  enabled: (demand) => demand.constraints.length > 0,
  check: (demand, { node }) => node !== undefined && matchesConstraints(node, demand.constraints),
  explain: (nodes) => `scheduling constraints not satisfied on ${nodeCount(nodes)}`,
};
