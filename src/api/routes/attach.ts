import type { Duplex } from "node:stream";
import type { AttachSession, ContainerRecord } from "../../engine/index.ts";
import { ShoalError } from "../../lib/index.ts";
import type { ApiDeps } from "../api-env.ts";
import { upgradeHead, type HijackRequest } from "../hijack.ts";
import { DetachScanner, parseDetachKeys } from "../detach-keys.ts";
import { logLineBytes, multiplexFrame } from "../log-stream.ts";
import { startExecHijacked } from "./execs.ts";

function flagSet(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === "1" || value === "true";
}

/**
 * `POST /containers/{id}/attach` (what `docker run` without -d does before it starts the
 * container, and `docker attach`). A container with a TTY or an open stdin is attached through its
 * monitor ({@link attachInteractive}); for any other the container's output from now on (and its
 * past output with `logs=1`) is followed from its log, multiplexed, until it exits, and input is
 * dropped (its stdin is closed).
 */
export async function attachContainer(deps: Pick<ApiDeps, "containers">, id: string, request: HijackRequest, socket: Duplex): Promise<void> {
  const record = deps.containers.get(id);
  if (record.Config.Tty || record.Config.OpenStdin) return attachInteractive(deps, record, request, socket);
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

/**
 * Attach to a container with a TTY or an open stdin, through conmon's attach socket: stdin from the
 * connection into the container (with `stdin=1`; its end closes the container's stdin when the
 * container has `StdinOnce`), its output onto the connection (raw with a TTY, else multiplexed)
 * until the container exits or the client detaches (closing the connection, or with a TTY typing
 * the detach keys, ctrl-p ctrl-q by default; docker's CLI looks for them itself too). A container
 * that has not started is attached at its next start.
 */
async function attachInteractive(deps: Pick<ApiDeps, "containers">, record: ContainerRecord, request: HijackRequest, socket: Duplex): Promise<void> {
  const query = request.query;
  const tty = record.Config.Tty;
  const wantStdin = flagSet(query, "stdin") && record.Config.OpenStdin;
  const stdout = flagSet(query, "stdout") || !query.has("stdout");
  const stderr = flagSet(query, "stderr") || !query.has("stderr");
  // As docker's daemon does, the detach keys are looked for in a terminal's input only.
  const scanner = new DetachScanner(tty ? parseDetachKeys(query.get("detachKeys")) : new Uint8Array());
  const aborter = new AbortController();
  socket.on("close", () => aborter.abort());
  socket.write(upgradeHead(tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"));
  // Input may come before the container has started: it waits here until the session exists.
  let session: AttachSession | null = null;
  const held: Uint8Array[] = [];
  let inputEnded = false;
  let detached = false;
  const detach = () => {
    detached = true;
    session?.close();
    aborter.abort();
  };
  socket.on("data", (chunk: Buffer) => {
    if (!wantStdin || detached) return;
    const { input, detach: detaching } = scanner.scan(new Uint8Array(chunk));
    if (input.length > 0) {
      if (session) session.write(input);
      else held.push(input);
    }
    if (detaching) detach();
  });
  socket.on("end", () => {
    if (!wantStdin) return;
    inputEnded = true;
    if (session && record.Config.StdinOnce) session.closeStdin();
  });
  let attached: AttachSession;
  try {
    attached = await deps.containers.attach(record.Id, aborter.signal);
  } catch (error) {
    if (aborter.signal.aborted) return;
    throw error;
  }
  session = attached;
  aborter.signal.addEventListener("abort", () => attached.close());
  if (aborter.signal.aborted) attached.close();
  for (const input of held) attached.write(input);
  if (inputEnded && record.Config.StdinOnce) attached.closeStdin();
  for await (const chunk of attached.output) {
    if (socket.destroyed) break;
    if ((chunk.stream === "stdout" && !stdout) || (chunk.stream === "stderr" && !stderr)) continue;
    if (!socket.write(tty ? chunk.data : multiplexFrame(chunk.stream, chunk.data))) await new Promise((resolve) => socket.once("drain", resolve));
  }
  attached.close();
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
