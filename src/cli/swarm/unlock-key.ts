import type { Swarm } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { updateSwarm } from "./update-swarm.ts";

/** Prints the unlock key with docker's advice on keeping it (nothing for an empty key). */
export function printUnlockCommand(ctx: CliContext, unlockKey: string): void {
  if (!unlockKey) return;
  ctx.out(
    "To unlock a swarm manager after it restarts, run the `shoal swarm unlock`\ncommand and provide the following key:\n\n" +
      `    ${unlockKey}\n\n` +
      "Remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.\n",
  );
}

/** The swarm's unlock key (`GET /swarm/unlockkey`), failing as docker's "could not fetch unlock key". */
export async function fetchUnlockKey(ctx: CliContext): Promise<string> {
  try {
    return (await ctx.client.json<{ UnlockKey: string }>("GET", "/swarm/unlockkey")).UnlockKey ?? "";
  } catch (error) {
    if (error instanceof CliError) throw new CliError(`could not fetch unlock key: ${error.message}`, error.exitCode);
    throw error;
  }
}

/** `shoal swarm unlock-key [-q] [--rotate]`: prints (after rotating) the key that unlocks a restarted manager. */
export async function swarmUnlockKeyCommand(ctx: CliContext, options: { quiet?: boolean; rotate?: boolean }): Promise<void> {
  if (options.rotate) {
    const swarm = await ctx.client.json<Swarm>("GET", "/swarm");
    if (!swarm.Spec.EncryptionConfig?.AutoLockManagers) throw new CliError("cannot rotate because autolock is not turned on");
    await updateSwarm(ctx, swarm.Version.Index, swarm.Spec, { rotateManagerUnlockKey: true });
    if (!options.quiet) ctx.out("Successfully rotated manager unlock key.\n");
  }
  const key = await fetchUnlockKey(ctx);
  if (!key) throw new CliError("no unlock key is set");
  if (options.quiet) ctx.out(`${key}\n`);
  else printUnlockCommand(ctx, key);
}
