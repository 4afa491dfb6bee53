import { existsSync } from "node:fs";
import { ShoalError } from "../lib/index.ts";

/** Where Debian's tini package puts the static init docker runs as `docker-init`. */
export const TINI_STATIC = "/usr/bin/tini-static";

/** `--init`: tini as PID 1 (mounted at /sbin/docker-init, as docker does), reaping zombies and forwarding signals. */
export function initProcess(args: string[]): { mount: { source: string; destination: string; type: "bind"; options: string[] }; args: string[] } {
  if (!existsSync(TINI_STATIC)) throw new ShoalError("failed_precondition", `--init needs ${TINI_STATIC}: install Debian's tini package`);
  return { mount: { source: TINI_STATIC, destination: "/sbin/docker-init", type: "bind", options: ["rbind", "ro", "rprivate"] }, args: ["/sbin/docker-init", "--", ...args] };
}
