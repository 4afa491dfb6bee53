import type { Node, Swarm, SystemInfo } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { updateSwarm } from "./update-swarm.ts";

/**
 * Prints how to join this swarm as docker's printJoinCommand does, for the roles asked, with the
 * address of the manager `nodeID` (nothing when that node is not a manager).
 */
export async function printJoinCommand(ctx: CliContext, nodeID: string, roles: { worker: boolean; manager: boolean }): Promise<void> {
  const node = await ctx.client.json<Node>("GET", `/nodes/${encodeURIComponent(nodeID)}`);
  const swarm = await ctx.client.json<Swarm>("GET", "/swarm");
  if (!node.ManagerStatus) return;
  const address = node.ManagerStatus.Addr;
  if (roles.worker) {
    ctx.out(`To add a worker to this swarm, run the following command:\n\n    shoal swarm join --token ${swarm.JoinTokens.Worker} ${address}\n\n`);
  }
  if (roles.manager) {
    ctx.out(`To add a manager to this swarm, run the following command:\n\n    shoal swarm join --token ${swarm.JoinTokens.Manager} ${address}\n\n`);
  }
}

/** `shoal swarm join-token [-q] [--rotate] worker|manager`: prints (after rotating) a join token or the command that uses it. */
export async function swarmJoinTokenCommand(ctx: CliContext, role: string, options: { quiet?: boolean; rotate?: boolean }): Promise<void> {
  const worker = role === "worker";
  const manager = role === "manager";
  if (!worker && !manager) throw new CliError(`unknown role ${role}`);
  if (options.rotate) {
    const current = await ctx.client.json<Swarm>("GET", "/swarm");
    await updateSwarm(ctx, current.Version.Index, current.Spec, { rotateWorkerToken: worker, rotateManagerToken: manager });
    if (!options.quiet) ctx.out(`Successfully rotated ${role} join token.\n\n`);
  }
  const swarm = await ctx.client.json<Swarm>("GET", "/swarm");
  if (options.quiet) {
    ctx.out(`${worker ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager}\n`);
    return;
  }
  const info = await ctx.client.json<SystemInfo>("GET", "/info");
  await printJoinCommand(ctx, info.Swarm.NodeID, { worker, manager });
}
