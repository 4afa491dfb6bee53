import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { printJoinCommand } from "./join-token.ts";
import {
  addrPoolFlag,
  availabilityFlag,
  encodeSwarmSpec,
  integerFlag,
  mergeSwarmSpec,
  nodeAddrFlag,
  type SwarmSpecFlags,
} from "./swarm-flags.ts";
import { fetchUnlockKey, printUnlockCommand } from "./unlock-key.ts";

/** Flags of `shoal swarm init`, raw from commander (undefined: not given). */
export interface SwarmInitFlags extends SwarmSpecFlags {
  listenAddr?: string;
  advertiseAddr?: string;
  dataPathAddr?: string;
  dataPathPort?: string;
  defaultAddrPool?: string[];
  defaultAddrPoolMaskLength?: string;
  forceNewCluster?: boolean;
  availability?: string;
}

/** The body of `POST /swarm/init` docker builds from these flags (field for field, in Go's order). */
export function swarmInitRequest(flags: SwarmInitFlags): Record<string, unknown> {
  const command = "swarm init";
  const listenAddr = nodeAddrFlag(command, "--listen-addr", flags.listenAddr);
  const dataPathPort = flags.dataPathPort === undefined ? 0 : integerFlag(command, "--data-path-port", flags.dataPathPort, { unsigned: true, max: 2 ** 32 - 1 });
  const pools = addrPoolFlag(command, flags.defaultAddrPool);
  const maskLength =
    flags.defaultAddrPoolMaskLength === undefined ? 24 : integerFlag(command, "--default-addr-pool-mask-length", flags.defaultAddrPoolMaskLength, { unsigned: true, max: 2 ** 32 - 1 });
  const spec = mergeSwarmSpec(command, {}, flags);
  return {
    ListenAddr: listenAddr,
    AdvertiseAddr: flags.advertiseAddr ?? "",
    DataPathAddr: flags.dataPathAddr ?? "",
    DataPathPort: dataPathPort,
    ForceNewCluster: Boolean(flags.forceNewCluster),
    Spec: encodeSwarmSpec(spec),
    AutoLockManagers: Boolean(flags.autolock),
    Availability: availabilityFlag(flags.availability),
    DefaultAddrPool: pools,
    SubnetSize: maskLength,
  };
}

/** `shoal swarm init [OPTIONS]`: makes this node the first manager of a new swarm and prints how others join. */
export async function swarmInitCommand(ctx: CliContext, flags: SwarmInitFlags): Promise<void> {
  const body = swarmInitRequest(flags);
  let nodeID: string;
  try {
    nodeID = await ctx.client.json<string>("POST", "/swarm/init", { body });
  } catch (error) {
    if (error instanceof CliError && /could not choose an IP address to advertise|could not find the system's IP address/.test(error.message)) {
      throw new CliError(`${error.message} - specify one with --advertise-addr`, error.exitCode);
    }
    throw error;
  }
  ctx.out(`Swarm initialized: current node (${nodeID}) is now a manager.\n\n`);
  await printJoinCommand(ctx, nodeID, { worker: true, manager: false });
  ctx.out("To add a manager to this swarm, run 'shoal swarm join-token manager' and follow the instructions.\n");
  if (body.AutoLockManagers) printUnlockCommand(ctx, await fetchUnlockKey(ctx));
}
