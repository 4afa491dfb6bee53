import type { CliContext } from "../context.ts";

/** `shoal rmi IMAGE...`: removes images, printing what was untagged and deleted. */
export async function rmiCommand(ctx: CliContext, images: string[], options: { force?: boolean }): Promise<void> {
  for (const image of images) {
    const items = await ctx.client.json<({ Untagged: string } | { Deleted: string })[]>("DELETE", `/images/${image}`, { query: { force: options.force ? 1 : undefined } });
    for (const item of items) ctx.out("Untagged" in item ? `Untagged: ${item.Untagged}\n` : `Deleted: ${item.Deleted}\n`);
  }
}
