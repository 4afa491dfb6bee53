import type { CliContext } from "../context.ts";

/** `shoal swarm leave [-f]`: takes this node out of its swarm. */
export async function swarmLeaveCommand(ctx: CliContext, options: { force?: boolean }): Promise<void> {
  await ctx.client.request("POST", "/swarm/leave", { query: { force: options.force ? 1 : undefined } });
  ctx.out("Node left the swarm.\n");
}
