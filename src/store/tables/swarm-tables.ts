import { clusterTable } from "./cluster-table.ts";
import { configTable } from "./config-table.ts";
import { networkTable } from "./network-table.ts";
import { nodeTable } from "./node-table.ts";
import { secretTable } from "./secret-table.ts";
import { serviceTable } from "./service-table.ts";
import { taskTable } from "./task-table.ts";

/** The tables of a swarm's store, in the order snapshots list them. */
export const SWARM_TABLES = {
  cluster: clusterTable,
  nodes: nodeTable,
  services: serviceTable,
  tasks: taskTable,
  networks: networkTable,
  secrets: secretTable,
  configs: configTable,
};

/** The definitions of a swarm's store. */
export type SwarmTables = typeof SWARM_TABLES;
