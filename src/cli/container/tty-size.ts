import type { CliContext } from "../context.ts";

/**
 * Tells the daemon the terminal's size now and on every resize (`POST <resizePath>?h=&w=`, for a
 * container or an exec), as docker's MonitorTtySize does; returns the function that stops it.
 */
export function monitorTtySize(ctx: CliContext, resizePath: string): () => void {
  const send = () => {
    const size = ctx.streams.terminalSize();
    if (!size || size.height === 0 || size.width === 0) return;
    ctx.client.request("POST", resizePath, { query: { h: size.height, w: size.width } }).then(
      (response) => response.body?.cancel(),
      () => {},
    );
  };
  send();
  return ctx.streams.onResize(send);
}
