import type { Swarm } from "../../types/index.ts";
import { defineTable } from "../table.ts";
import { alreadyExists } from "./name-conflict.ts";

/** The cluster table: one object, named "default", with the swarm's settings and tokens. */
export const clusterTable = defineTable<Swarm>()({
  kind: "cluster",
  uniqueName: (cluster) => cluster.Spec.Name,
  indexes: {},
  nameConflictMessage: () => alreadyExists(),
});
