import type { Config } from "../../types/index.ts";
import { defineTable, labelKeys } from "../table.ts";
import { alreadyExists } from "./name-conflict.ts";

/** The configs table: unique names. */
export const configTable = defineTable<Config>()({
  kind: "config",
  uniqueName: (config) => config.Spec.Name,
  indexes: {
    label: (config) => labelKeys(config.Spec.Labels),
  },
  nameConflictMessage: (name) => alreadyExists(`config ${name} already exists`),
});
