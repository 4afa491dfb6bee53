import { nodeCount, type Filter } from "./filter.ts";

/** The task's CPU and memory reservations must fit in what the node has left after the tasks placed on it. */
export const resourceFilter: Filter = {
  dynamic: true,
  enabled: (demand) => demand.nanoCPUs > 0 || demand.memoryBytes > 0,
  check: (demand, node) => demand.nanoCPUs <= node.availableNanoCPUs && demand.memoryBytes <= node.availableMemoryBytes,
  explain: (nodes) => `insufficient resources on ${nodeCount(nodes)}`,
};
