import { Hono } from "hono";
import type { Duplex } from "node:stream";
import type { ExecRecord, ExecSession } from "../../engine/index.ts";
import { ShoalError } from "../../lib/index.ts";
import type { ApiDeps, ApiEnv } from "../api-env.ts";
import { upgradeHead, type HijackRequest } from "../hijack.ts";
import { readJsonBody, readJsonObject } from "../json-body.ts";
import { multiplexFrame } from "../log-stream.ts";

/** `GET /exec/{id}/json`. */
function inspect(record: ExecRecord) {
  return {
    ID: record.ID,
    ContainerID: record.ContainerID,
    Running: record.Running,
    ExitCode: record.ExitCode,
    Pid: record.Pid,
    OpenStdin: record.Config.AttachStdin,
    OpenStdout: record.Config.AttachStdout,
    OpenStderr: record.Config.AttachStderr,
    CanRemove: false,
    DetachKeys: "",
    ProcessConfig: { tty: record.Config.Tty, entrypoint: record.Config.Cmd[0], arguments: record.Config.Cmd.slice(1), privileged: record.Config.Privileged, user: record.Config.User },
  };
}

function dimension(value: string | undefined, name: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new ShoalError("invalid_argument", `invalid value for ${name}: ${JSON.stringify(value)}`);
  return number;
}

/** Exec: create, start detached, resize, inspect (an attached start is hijacked: {@link startExecHijacked}). */
export function execRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const execs = () => deps.containers.execs;
  return new Hono<ApiEnv>()
    .post("/containers/:id/exec", async (c) => c.json({ Id: execs().create(c.req.param("id"), await readJsonObject(c)).ID }, 201))
    .post("/exec/:id/start", async (c) => {
      const body = ((await readJsonBody(c)) ?? {}) as Record<string, unknown>;
      const session = execs().start(c.req.param("id"));
      if (body.Detach === true) {
        void drain(session);
        return c.body(null, 200);
      }
      // Attached without hijacking (old clients): the output as the response body.
      const tty = execs().get(c.req.param("id")).Config.Tty;
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          for await (const chunk of session.output) controller.enqueue(tty ? chunk.data : multiplexFrame(chunk.stream, chunk.data));
          controller.close();
        },
      });
      return new Response(stream, { headers: { "Content-Type": tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream" } });
    })
    .post("/exec/:id/resize", (c) => {
      execs().resize(c.req.param("id"), dimension(c.req.query("h"), "h"), dimension(c.req.query("w"), "w"));
      return c.body(null, 200);
    })
    .get("/exec/:id/json", (c) => c.json(inspect(execs().get(c.req.param("id")))));
}

async function drain(session: ExecSession): Promise<void> {
  for await (const _ of session.output);
}

/** `POST /exec/{id}/start` hijacked (docker exec without -d): stdin from the socket, output onto it, closed at the exit. */
export async function startExecHijacked(deps: Pick<ApiDeps, "containers">, id: string, _request: HijackRequest, socket: Duplex): Promise<void> {
  const execs = deps.containers.execs;
  const record = execs.get(id);
  const session = execs.start(id);
  const tty = record.Config.Tty;
  socket.write(upgradeHead(tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"));
  if (record.Config.AttachStdin) {
    socket.on("data", (chunk: Buffer) => session.write(new Uint8Array(chunk)));
    socket.on("end", () => session.closeStdin());
  } else {
    socket.on("data", () => {});
  }
  socket.on("close", () => {
    if (record.Running) session.kill("SIGKILL");
  });
  for await (const chunk of session.output) {
    if (socket.destroyed) break;
    if ((chunk.stream === "stdout" && !record.Config.AttachStdout) || (chunk.stream === "stderr" && !record.Config.AttachStderr)) continue;
    if (!socket.write(tty ? chunk.data : multiplexFrame(chunk.stream, chunk.data))) await new Promise((resolve) => socket.once("drain", resolve));
  }
  await session.exited.catch(() => {});
  socket.end();
}
