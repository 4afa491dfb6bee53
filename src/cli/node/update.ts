import type { Node, NodeSpec } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/** A merge that finds the node already as asked: docker skips its update silently. */
const NO_ROLE_CHANGE = Symbol("no role change");

/** Changes a node's spec in place; returns NO_ROLE_CHANGE to skip the node. */
type MergeNode = (node: Node) => void | typeof NO_ROLE_CHANGE;

/** The body of `POST /nodes/{id}/update`: the whole spec, as Go encodes docker's `swarm.NodeSpec`. */
export function encodeNodeSpec(spec: Partial<NodeSpec>): Record<string, unknown> {
  return {
    ...(spec.Name ? { Name: spec.Name } : {}),
    Labels: spec.Labels ?? null,
    ...(spec.Role ? { Role: spec.Role } : {}),
    ...(spec.Availability ? { Availability: spec.Availability } : {}),
  };
}

/**
 * Updates nodes one after another as docker's updateNodes does: `GET /nodes/{ref}`, merge, then
 * `POST /nodes/{id}/update?version=N` with the whole spec; stops at the first error.
 */
async function updateNodes(ctx: CliContext, refs: string[], merge: MergeNode, success: (ref: string) => void): Promise<void> {
  for (const ref of refs) {
    const node = await ctx.client.json<Node>("GET", `/nodes/${encodeURIComponent(ref)}`);
    node.Spec = structuredClone(node.Spec ?? ({} as NodeSpec));
    if (merge(node) === NO_ROLE_CHANGE) continue;
    await ctx.client.request("POST", `/nodes/${encodeURIComponent(node.ID)}/update`, { query: { version: node.Version?.Index ?? 0 }, body: encodeNodeSpec(node.Spec) });
    success(ref);
  }
}

/** Flags of `shoal node update`. */
export interface NodeUpdateOptions {
  role?: string;
  availability?: string;
  labelAdd?: string[];
  labelRm?: string[];
}

/** Checks `--role` and `--availability` before anything is sent (docker leaves that to the daemon). */
function checkUpdateFlags(options: NodeUpdateOptions): void {
  if (options.role !== undefined && options.role !== "worker" && options.role !== "manager") {
    throw new CliError(`invalid role ${JSON.stringify(options.role)}, only worker and manager are supported`);
  }
  if (options.availability !== undefined && !["active", "pause", "drain"].includes(options.availability)) {
    throw new CliError(`invalid availability ${JSON.stringify(options.availability)}, only active, pause and drain are supported`);
  }
}

/** `shoal node update [--availability A] [--role R] [--label-add k=v] [--label-rm k] NODE`: prints NODE once updated. */
export async function nodeUpdateCommand(ctx: CliContext, ref: string, options: NodeUpdateOptions): Promise<void> {
  checkUpdateFlags(options);
  await updateNodes(
    ctx,
    [ref],
    (node) => {
      const spec = node.Spec;
      if (options.role !== undefined) spec.Role = options.role as NodeSpec["Role"];
      if (options.availability !== undefined) spec.Availability = options.availability as NodeSpec["Availability"];
      const labels = (spec.Labels ??= {});
      for (const item of options.labelAdd ?? []) {
        const equals = item.indexOf("=");
        if (equals < 0) labels[item] = "";
        else labels[item.slice(0, equals)] = item.slice(equals + 1);
      }
      for (const key of options.labelRm ?? []) {
        if (!(key in labels)) throw new CliError(`key ${key} doesn't exist in node's labels`);
        delete labels[key];
      }
    },
    () => ctx.out(`${ref}\n`),
  );
}

/** `shoal node promote NODE...`: makes workers managers. */
export async function nodePromoteCommand(ctx: CliContext, refs: string[]): Promise<void> {
  await updateNodes(
    ctx,
    refs,
    (node) => {
      if (node.Spec.Role === "manager") {
        ctx.out(`Node ${node.ID} is already a manager.\n`);
        return NO_ROLE_CHANGE;
      }
      node.Spec.Role = "manager";
    },
    (ref) => ctx.out(`Node ${ref} promoted to a manager in the swarm.\n`),
  );
}

/** `shoal node demote NODE...`: makes managers workers. */
export async function nodeDemoteCommand(ctx: CliContext, refs: string[]): Promise<void> {
  await updateNodes(
    ctx,
    refs,
    (node) => {
      if (node.Spec.Role === "worker") {
        ctx.out(`Node ${node.ID} is already a worker.\n`);
        return NO_ROLE_CHANGE;
      }
      node.Spec.Role = "worker";
    },
    (ref) => ctx.out(`Manager ${ref} demoted in the swarm.\n`),
  );
}
