import type { Task } from "../../types/index.ts";
import { defineTable, labelKeys, oneKey } from "../table.ts";

/** The tasks table: task names are derived, not unique; indexed by service, node, slot and states. */
export const taskTable = defineTable<Task>()({
  kind: "task",
  indexes: {
    service: (task) => oneKey(task.ServiceID),
    node: (task) => oneKey(task.NodeID),
    /** `<serviceID>/<slot>` for replicated tasks. */
    slot: (task) => (task.Slot === undefined ? [] : [`${task.ServiceID}/${task.Slot}`]),
    desiredState: (task) => [task.DesiredState],
    state: (task) => [task.Status.State],
    label: (task) => labelKeys(task.Labels),
    network: (task) => (task.NetworksAttachments ?? []).map((attachment) => attachment.Network.ID),
  },
});
