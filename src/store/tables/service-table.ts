import { serviceModeName, type Service } from "../../types/index.ts";
import { defineTable, labelKeys } from "../table.ts";
import { NAME_CONFLICT, alreadyExists } from "./name-conflict.ts";

/** The services table: unique names; indexes for the filters and for "in use" checks. */
export const serviceTable = defineTable<Service>()({
  kind: "service",
  uniqueName: (service) => service.Spec.Name,
  indexes: {
    label: (service) => labelKeys(service.Spec.Labels),
    mode: (service) => [serviceModeName(service.Spec.Mode)],
    /** Networks the tasks attach to (IDs or names as given). */
    network: (service) => [...new Set([...(service.Spec.TaskTemplate.Networks ?? []), ...(service.Spec.Networks ?? [])].map((n) => n.Target))],
    /** Secrets the tasks use (by ID): a secret in use cannot be removed. */
    secret: (service) => [...new Set((service.Spec.TaskTemplate.ContainerSpec?.Secrets ?? []).map((s) => s.SecretID))],
    /** Configs the tasks use (by ID). */
    config: (service) => [...new Set((service.Spec.TaskTemplate.ContainerSpec?.Configs ?? []).map((c) => c.ConfigID))],
  },
  nameConflictMessage: (name) => alreadyExists(`${NAME_CONFLICT}: service ${name} already exists`),
  stampsSpecVersion: true,
});
