import type { Filter } from "./filter.ts";

/** At most `Placement.MaxReplicas` active tasks of the service per node. */
export const maxReplicasFilter: Filter = {
  dynamic: true,
  enabled: (demand) => demand.maxReplicas > 0,
  check: (demand, node) => node.serviceTasks(demand.serviceId) < demand.maxReplicas,
  explain: () => "max replicas per node limit exceed",
};
