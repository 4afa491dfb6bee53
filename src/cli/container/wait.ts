import type { CliContext } from "../context.ts";
import { containerPath, forEachContainer } from "./each-container.ts";

/** `shoal wait CONTAINER...`: blocks until each container stops, then prints its exit code. */
export async function waitCommand(ctx: CliContext, names: string[]): Promise<void> {
  await forEachContainer(ctx, names, async (name) => {
    const result = await ctx.client.json<{ StatusCode: number; Error?: { Message?: string } | null }>("POST", `${containerPath(name)}/wait`);
    return String(result.StatusCode);
  });
}
