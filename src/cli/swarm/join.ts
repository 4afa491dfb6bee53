import type { SystemInfo } from "../../types/index.ts";
import type { CliContext } from "../context.ts";
import { availabilityFlag, nodeAddrFlag } from "./swarm-flags.ts";

/** Flags of `shoal swarm join`. */
export interface SwarmJoinFlags {
  token?: string;
  listenAddr?: string;
  advertiseAddr?: string;
  dataPathAddr?: string;
  availability?: string;
}

/** The body of `POST /swarm/join` docker builds (Go's field order). */
export function swarmJoinRequest(remote: string, flags: SwarmJoinFlags): Record<string, unknown> {
  return {
    ListenAddr: nodeAddrFlag("swarm join", "--listen-addr", flags.listenAddr),
    AdvertiseAddr: flags.advertiseAddr ?? "",
    DataPathAddr: flags.dataPathAddr ?? "",
    RemoteAddrs: [remote],
    JoinToken: flags.token ?? "",
    Availability: availabilityFlag(flags.availability),
  };
}

/** `shoal swarm join --token T HOST:PORT`: joins the swarm a manager at HOST:PORT belongs to, then says in which role. */
export async function swarmJoinCommand(ctx: CliContext, remote: string, flags: SwarmJoinFlags): Promise<void> {
  await ctx.client.request("POST", "/swarm/join", { body: swarmJoinRequest(remote, flags) });
  const info = await ctx.client.json<SystemInfo>("GET", "/info");
  ctx.out(info.Swarm?.ControlAvailable ? "This node joined a swarm as a manager.\n" : "This node joined a swarm as a worker.\n");
}

