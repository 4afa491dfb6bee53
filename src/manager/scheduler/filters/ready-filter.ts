import { nodeCount, type Filter } from "./filter.ts";

/** Only nodes that are ready and active take new tasks (paused and drained ones do not). */
export const readyFilter: Filter = {
  dynamic: false,
  enabled: () => true,
  check: (_demand, { node }) => node?.Status.State === "ready" && node.Spec.Availability === "active",
  explain: (nodes) => `${nodeCount(nodes)} not available for new tasks`,
};
