import type { Node, Service, Task } from "../../types/index.ts";
import { apiTimestamp } from "../api-timestamp.ts";
import { CliError, isNotFound } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { shortId } from "../format/list-format.ts";
import { bodyChunks, StreamDemuxer } from "../stream-demux.ts";

/** Flags of `shoal service logs`. */
export interface ServiceLogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  timestamps?: boolean;
  /** False with `--no-task-ids`. */
  taskIds?: boolean;
  /** False with `--no-trunc`. */
  trunc?: boolean;
  /** False with `--no-resolve`. */
  resolve?: boolean;
  raw?: boolean;
  details?: boolean;
}

/** `key=value,key=value` details of a log line, URL-unescaped (docker's logdetails.Parse). */
function parseDetails(text: string): Map<string, string> {
  const details = new Map<string, string>();
  if (text === "") return details;
  for (const pair of text.split(",")) {
    const equals = pair.indexOf("=");
    if (equals < 0) throw new CliError(`invalid details format: ${text}`);
    details.set(decodeURIComponent(pair.slice(0, equals).replaceAll("+", " ")), decodeURIComponent(pair.slice(equals + 1).replaceAll("+", " ")));
  }
  return details;
}

/**
 * `shoal service logs [-f] [--tail N] [--since T] [-t] [--no-task-ids] [--no-trunc] [--raw] SERVICE|TASK`:
 * the service's (or task's) log stream, each line prefixed `name.slot.taskid@node    | ` as docker does.
 */
export async function serviceLogsCommand(ctx: CliContext, target: string, options: ServiceLogsOptions): Promise<void> {
  let path: string;
  let tty: boolean;
  let padding = 1;
  try {
    const service = await ctx.client.json<Service>("GET", `/services/${encodeURIComponent(target)}`);
    tty = Boolean(service.Spec.TaskTemplate.ContainerSpec?.TTY);
    const replicas = (service.Spec.Mode as { Replicated?: { Replicas?: number } }).Replicated?.Replicas;
    if (replicas !== undefined) padding = String(replicas).length;
    path = `/services/${encodeURIComponent(target)}/logs`;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    let task: Task;
    try {
      task = await ctx.client.json<Task>("GET", `/tasks/${encodeURIComponent(target)}`);
    } catch (inner) {
      if (isNotFound(inner)) throw new CliError(`no such task or service: ${target}`);
      throw inner;
    }
    tty = Boolean(task.Spec.ContainerSpec?.TTY);
    padding = String(task.Slot ?? 0).length;
    path = `/tasks/${encodeURIComponent(target)}/logs`;
  }
  if (tty && !options.raw) throw new CliError("tty service logs only supported with --raw");
  const response = await ctx.client.request("GET", path, {
    query: {
      stdout: "1",
      stderr: "1",
      since: options.since === undefined ? undefined : apiTimestamp(options.since),
      timestamps: options.timestamps ? "1" : undefined,
      details: options.details || !options.raw ? "1" : undefined,
      follow: options.follow ? "1" : undefined,
      tail: options.tail ?? "all",
    },
  });
  if (tty) {
    for await (const chunk of bodyChunks(response.body)) ctx.streams.stdout(chunk);
    return;
  }
  const names = new Map<string, string>();
  const resolve = async (kind: "nodes" | "services", id: string): Promise<string> => {
    if (options.resolve === false) return id;
    const key = `${kind}/${id}`;
    if (!names.has(key)) {
      try {
        const object = await ctx.client.json<Node & Service>("GET", `/${kind}/${encodeURIComponent(id)}`);
        names.set(key, kind === "nodes" ? object.Description?.Hostname || id : object.Spec?.Name || id);
      } catch {
        names.set(key, id);
      }
    }
    return names.get(key)!;
  };
  const prefixes = new Map<string, string>();
  const prefix = async (nodeId: string, serviceId: string, taskId: string): Promise<string> => {
    const key = `${nodeId}/${serviceId}/${taskId}`;
    if (!prefixes.has(key)) {
      const node = await resolve("nodes", nodeId);
      const service = await resolve("services", serviceId);
      const task = await ctx.client.json<Task>("GET", `/tasks/${encodeURIComponent(taskId)}`);
      let name = `${service}.${task.Slot ?? 0}`;
      if (options.taskIds !== false) name += `.${options.trunc === false ? task.ID : shortId(task.ID)}`;
      prefixes.set(key, `${name}@${node}${" ".repeat(Math.max(0, padding - String(task.Slot ?? 0).length))}`);
    }
    return prefixes.get(key)!;
  };
  const decoder = new TextDecoder();
  const format = async (payload: Uint8Array): Promise<string> => {
    const text = decoder.decode(payload);
    if (options.raw) return text;
    const parts = options.timestamps ? 3 : 2;
    const pieces: string[] = [];
    let rest = text;
    for (let index = 1; index < parts; index++) {
      const space = rest.indexOf(" ");
      if (space < 0) throw new CliError(`invalid context in log message: ${text}`);
      pieces.push(rest.slice(0, space));
      rest = rest.slice(space + 1);
    }
    const details = parseDetails(pieces.at(-1)!);
    const nodeId = details.get("com.docker.swarm.node.id");
    const serviceId = details.get("com.docker.swarm.service.id");
    const taskId = details.get("com.docker.swarm.task.id");
    if (nodeId === undefined) throw new CliError(`missing node id in details: ${pieces.at(-1)}`);
    if (serviceId === undefined) throw new CliError(`missing service id in details: ${pieces.at(-1)}`);
    if (taskId === undefined) throw new CliError(`missing task id in details: ${pieces.at(-1)}`);
    for (const key of ["com.docker.swarm.node.id", "com.docker.swarm.service.id", "com.docker.swarm.task.id"]) details.delete(key);
    let output = options.timestamps ? `${pieces[0]} ` : "";
    output += `${await prefix(nodeId, serviceId, taskId)}    | `;
    if (options.details) output += `${[...details].map(([key, value]) => `${key}=${value}`).sort().join(",")} `;
    return output + rest;
  };
  const frames: { stream: "stdout" | "stderr"; payload: Uint8Array }[] = [];
  const demuxer = new StreamDemuxer({
    stdout: (payload) => void frames.push({ stream: "stdout", payload: payload.slice() }),
    stderr: (payload) => void frames.push({ stream: "stderr", payload: payload.slice() }),
  });
  for await (const chunk of bodyChunks(response.body)) {
    demuxer.push(chunk);
    for (const frame of frames.splice(0)) {
      const text = await format(frame.payload);
      if (frame.stream === "stdout") ctx.out(text);
      else ctx.err(text);
    }
  }
}
