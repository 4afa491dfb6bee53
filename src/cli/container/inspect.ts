import type { CliContext } from "../context.ts";
import { inspectObjects } from "../system/inspect.ts";

/** `shoal container inspect [-f FORMAT] [-s] CONTAINER...`: detailed information on containers. */
export async function containerInspectCommand(ctx: CliContext, names: string[], options: { format?: string; size?: boolean }): Promise<void> {
  await inspectObjects(ctx, names, { ...options, type: "container" });
}
