import type { SystemInfo } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/** Resolves `self` to this node's ID (from `GET /info`), as docker's node Reference does; other refs pass through. */
export async function resolveNodeRef(ctx: CliContext, ref: string): Promise<string> {
  if (ref !== "self") return ref;
  const info = await ctx.client.json<SystemInfo>("GET", "/info");
  if (info.Swarm?.NodeID) return info.Swarm.NodeID;
  // Not in a swarm: let the daemon say so, as docker does by listing nodes.
  await ctx.client.request("GET", "/nodes");
  throw new CliError("node ID not found in /info");
}

/** Docker's PrettyPrint: the first letter upper-cased, the rest lower-cased (`ready` → `Ready`). */
export function prettyPrint(text: string | undefined): string {
  const value = text ?? "";
  if (value.length <= 1) return value.toLowerCase();
  return value[0]!.toUpperCase() + value.slice(1).toLowerCase();
}
