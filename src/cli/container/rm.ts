import { isNotFound } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { containerPath, forEachContainer } from "./each-container.ts";

/** Flags of `shoal rm`. */
export interface RmOptions {
  force?: boolean;
  volumes?: boolean;
  link?: boolean;
}

/**
 * `shoal rm [-f] [-v] CONTAINER...`: removes containers, printing each name; with `-f` a missing
 * container is not an error (as in docker).
 */
export async function rmCommand(ctx: CliContext, names: string[], options: RmOptions): Promise<void> {
  await forEachContainer(
    ctx,
    names,
    async (name) => {
      await ctx.client.request("DELETE", containerPath(name), { query: { v: options.volumes ? 1 : undefined, link: options.link ? 1 : undefined, force: options.force ? 1 : undefined } });
    },
    { ignore: (error) => Boolean(options.force) && isNotFound(error) },
  );
}
