import type { CliContext } from "../context.ts";

/** A pending `POST /containers/{id}/wait`: the exit status once it comes, or a way to drop it. */
export interface PendingExit {
  /** The container's exit code; 125 when waiting failed, as docker reports it. */
  status: Promise<number>;
  cancel(): void;
}

/**
 * Sends `POST /containers/{id}/wait?condition=…` and resolves once the daemon has answered with
 * its headers (it has registered the waiter), so a start sent afterwards cannot race the exit —
 * the order docker's run uses. The body `{StatusCode, Error}` arrives at the exit.
 */
export async function waitForExit(ctx: CliContext, id: string, condition: "next-exit" | "removed" | "not-running"): Promise<PendingExit> {
  const response = await ctx.client.request("POST", `/containers/${encodeURIComponent(id)}/wait`, { query: { condition } });
  let cancelled = false;
  const status = response
    .json()
    .then((body) => {
      const result = body as { StatusCode?: number; Error?: { Message?: string } | null };
      if (result.Error?.Message) {
        ctx.err(`Error waiting for container: ${result.Error.Message}\n`);
        return 125;
      }
      return result.StatusCode ?? 0;
    })
    .catch((error: unknown) => {
      if (!cancelled) ctx.err(`error waiting for container: ${(error as Error).message}\n`);
      return 125;
    });
  return {
    status,
    cancel: () => {
      cancelled = true;
      void response.body?.cancel().catch(() => {});
    },
  };
}
