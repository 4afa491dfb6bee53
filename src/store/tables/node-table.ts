import type { Node } from "../../types/index.ts";
import { defineTable, labelKeys, oneKey } from "../table.ts";

/** The nodes table. Node names (hostnames) need not be unique. */
export const nodeTable = defineTable<Node>()({
  kind: "node",
  indexes: {
    /** `Spec.Name`, else the hostname, lowercased. */
    name: (node) => oneKey((node.Spec.Name || node.Description?.Hostname)?.toLowerCase()),
    role: (node) => oneKey(node.Spec.Role),
    membership: (node) => oneKey(node.Spec.Membership ?? "accepted"),
    availability: (node) => oneKey(node.Spec.Availability),
    state: (node) => oneKey(node.Status.State),
    /** Node labels (`node.label` filter). */
    label: (node) => labelKeys(node.Spec.Labels),
    /** Engine labels (`label` filter). */
    engineLabel: (node) => labelKeys(node.Description?.Engine.Labels),
  },
});
