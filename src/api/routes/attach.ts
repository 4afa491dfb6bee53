import type { Duplex } from "node:stream";
import { ShoalError } from "../../lib/index.ts";
import type { ApiDeps } from "../api-env.ts";
import { upgradeHead, type HijackRequest } from "../hijack.ts";
import { logLineBytes, multiplexFrame } from "../log-stream.ts";
import { startExecHijacked } from "./execs.ts";

function flagSet(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === "1" || value === "true";
}

/**
 * `POST /containers/{id}/attach` (what `docker run` without -d does before it starts the
 * container): the container's output from now on (and its past output with `logs=1`) on the
 * hijacked connection, multiplexed, until the container exits. Stdin is not attached.
 */
export async function attachContainer(deps: Pick<ApiDeps, "containers">, id: string, request: HijackRequest, socket: Duplex): Promise<void> {
  const record = deps.containers.get(id);
  const stdout = flagSet(request.query, "stdout") || !request.query.has("stdout");
  const stderr = flagSet(request.query, "stderr") || !request.query.has("stderr");
  const aborter = new AbortController();
  socket.on("close", () => aborter.abort());
  // Reading keeps the socket flowing; input is dropped (stdin of the main process is not attached).
  socket.on("data", () => {});
  socket.write(upgradeHead("application/vnd.docker.multiplexed-stream"));
  const exited = deps.containers.wait(record.Id, "next-exit", aborter.signal);
  const lines = deps.containers.logs(record.Id, { follow: true, tail: flagSet(request.query, "logs") ? -1 : 0, until: exited, signal: aborter.signal });
  for await (const line of lines) {
    if ((line.stream === "stdout" && !stdout) || (line.stream === "stderr" && !stderr)) continue;
    if (!socket.write(multiplexFrame(line.stream, logLineBytes(line, false)))) await new Promise((resolve) => socket.once("drain", resolve));
  }
  socket.end();
}

/** The hijacking routes: container attach and exec start. */
export function hijackRoutes(deps: ApiDeps) {
  return async (request: HijackRequest, socket: Duplex): Promise<void> => {
    const attach = /^\/containers\/([^/]+)\/attach$/.exec(request.path);
    if (request.method === "POST" && attach) return attachContainer(deps, decodeURIComponent(attach[1]!), request, socket);
    const exec = /^\/exec\/([^/]+)\/start$/.exec(request.path);
    if (request.method === "POST" && exec) return startExecHijacked(deps, decodeURIComponent(exec[1]!), request, socket);
    throw new ShoalError("not_found", `page not found: ${request.method} ${request.path} cannot be hijacked`);
  };
}
