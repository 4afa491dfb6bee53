import type { Secret } from "../../types/index.ts";
import { defineTable, labelKeys } from "../table.ts";
import { alreadyExists } from "./name-conflict.ts";

/** The secrets table: unique names; `Spec.Data` sealed at rest when the store has a cipher. */
export const secretTable = defineTable<Secret>()({
  kind: "secret",
  uniqueName: (secret) => secret.Spec.Name,
  indexes: {
    label: (secret) => labelKeys(secret.Spec.Labels),
  },
  nameConflictMessage: (name) => alreadyExists(`secret ${name} already exists`),
  sealsSpecData: true,
});
