import type { Network } from "../../types/index.ts";
import { defineTable, labelKeys, oneKey } from "../table.ts";
import { alreadyExists } from "./name-conflict.ts";

/** The networks table (swarm-scoped networks): unique names. */
export const networkTable = defineTable<Network>()({
  kind: "network",
  uniqueName: (network) => network.Spec.Name,
  indexes: {
    label: (network) => labelKeys(network.Spec.Labels),
    driver: (network) => oneKey(network.Spec.DriverConfiguration?.Name ?? network.DriverState.Name),
  },
  nameConflictMessage: (name) => alreadyExists(`network ${name} already exists`),
});
