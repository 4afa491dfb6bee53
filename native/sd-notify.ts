import { sendUnixDatagram } from "./unix-datagram.ts";

/**
 * Tells systemd about the service's state (`READY=1`, `STOPPING=1`, `STATUS=…`) when it started us
 * with `Type=notify`; a no-op without NOTIFY_SOCKET. Returns whether a message was sent.
 */
export function sdNotify(state: string, env: Record<string, string | undefined> = process.env): boolean {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return false;
  sendUnixDatagram(socket, state);
  return true;
}
