import type { Swarm } from "../../types/index.ts";
import type { CliContext } from "../context.ts";
import { mergeSwarmSpec, type SwarmSpecFlags, type WireSwarmSpec } from "./swarm-flags.ts";
import { updateSwarm } from "./update-swarm.ts";
import { fetchUnlockKey, printUnlockCommand } from "./unlock-key.ts";

/**
 * `shoal swarm update [--autolock[=false]] [--cert-expiry] [--dispatcher-heartbeat] [--task-history-limit] …`:
 * checks the flags, then sends the current spec with them applied; prints the unlock key when autolock was just turned on.
 */
export async function swarmUpdateCommand(ctx: CliContext, flags: SwarmSpecFlags): Promise<void> {
  mergeSwarmSpec("swarm update", {}, flags);
  const swarm = await ctx.client.json<Swarm>("GET", "/swarm");
  const spec = mergeSwarmSpec("swarm update", swarm.Spec as WireSwarmSpec, flags);
  const wasLocked = Boolean(swarm.Spec.EncryptionConfig?.AutoLockManagers);
  await updateSwarm(ctx, swarm.Version.Index, spec);
  ctx.out("Swarm updated.\n");
  if (spec.EncryptionConfig?.AutoLockManagers && !wasLocked) printUnlockCommand(ctx, await fetchUnlockKey(ctx));
}
