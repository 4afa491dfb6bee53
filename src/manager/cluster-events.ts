import type { ChangeEvent, SwarmTables } from "../store/index.ts";
import type { Node, Service } from "../types/index.ts";

/** A change of a swarm object as `docker events` shows it (scope `swarm`, moby `daemon/events.go`). */
export interface ClusterEvent {
  Type: "node" | "service" | "network" | "secret" | "config";
  Action: "create" | "update" | "remove";
  id: string;
  attributes: Record<string, string>;
  /** When it happened, in nanoseconds since the epoch. */
  timeNano: number;
}

const ACTIONS = { create: "create", update: "update", delete: "remove" } as const;

/** The tables whose changes docker reports, and the event type of each. */
const EVENT_TYPES: Partial<Record<keyof SwarmTables, ClusterEvent["Type"]>> = {
  nodes: "node",
  services: "service",
  networks: "network",
  secrets: "secret",
  configs: "config",
};

/** Docker's attributes of a node update: what changed, old and new. */
function nodeAttributes(node: Node, old: Node | undefined): Record<string, string> {
  const attributes: Record<string, string> = { name: node.Description?.Hostname ?? "" };
  if (!old) return attributes;
  const changed = (key: string, before: string, after: string) => {
    if (before === after) return;
    attributes[`${key}.old`] = before;
    attributes[`${key}.new`] = after;
  };
  changed("availability", old.Spec.Availability, node.Spec.Availability);
  changed("role", old.Spec.Role, node.Spec.Role);
  changed("state", old.Status.State, node.Status.State);
  if (node.ManagerStatus && old.ManagerStatus) {
    changed("leader", String(Boolean(old.ManagerStatus.Leader)), String(Boolean(node.ManagerStatus.Leader)));
    changed("reachability", old.ManagerStatus.Reachability, node.ManagerStatus.Reachability);
  }
  return attributes;
}

/** Docker's attributes of a service update: image, replicas and update state, old and new. */
function serviceAttributes(service: Service, old: Service | undefined): Record<string, string> {
  const attributes: Record<string, string> = { name: service.Spec.Name };
  if (!old) return attributes;
  const image = service.Spec.TaskTemplate.ContainerSpec?.Image ?? "";
  const oldImage = old.Spec.TaskTemplate.ContainerSpec?.Image ?? "";
  if (image !== oldImage) Object.assign(attributes, { "image.old": oldImage, "image.new": image });
  if ("Replicated" in service.Spec.Mode && "Replicated" in old.Spec.Mode && service.Spec.Mode.Replicated.Replicas !== old.Spec.Mode.Replicated.Replicas) {
    Object.assign(attributes, { "replicas.old": String(old.Spec.Mode.Replicated.Replicas), "replicas.new": String(service.Spec.Mode.Replicated.Replicas) });
  }
  if (service.UpdateStatus) {
    if (!old.UpdateStatus) attributes["updatestate.new"] = service.UpdateStatus.State;
    else if (old.UpdateStatus.State !== service.UpdateStatus.State) Object.assign(attributes, { "updatestate.old": old.UpdateStatus.State, "updatestate.new": service.UpdateStatus.State });
  }
  return attributes;
}

/** The docker event of a store change, or null for tables docker does not report (tasks, the cluster). */
export function clusterEventOf(change: ChangeEvent<SwarmTables>, nowNano: number): ClusterEvent | null {
  const type = EVENT_TYPES[change.table];
  if (!type) return null;
  const action = ACTIONS[change.kind];
  const old = change.kind === "update" ? change.oldObject : undefined;
  let attributes: Record<string, string>;
  if (change.table === "nodes") attributes = nodeAttributes(change.object, old as Node | undefined);
  else if (change.table === "services") attributes = serviceAttributes(change.object, old as Service | undefined);
  else attributes = { name: (change.object as { Spec: { Name: string } }).Spec.Name };
  const stamp = change.kind === "create" ? change.object.CreatedAt : change.kind === "update" ? change.object.UpdatedAt : "";
  const parsed = stamp ? Date.parse(stamp) : Number.NaN;
  return { Type: type, Action: action, id: change.object.ID, attributes, timeNano: Number.isNaN(parsed) ? nowNano : parsed * 1e6 };
}
