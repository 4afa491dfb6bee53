import { Hono } from "hono";
import { ZERO_TIME, type ContainerFilters, type ContainerRecord } from "../../engine/index.ts";
import { humanDuration, ShoalError } from "../../lib/index.ts";
import type { ApiDeps, ApiEnv } from "../api-env.ts";
import { readJsonObject } from "../json-body.ts";
import { logLineBytes, logTimeNanos, multiplexFrame, parseTimeRange } from "../log-stream.ts";
import { checkFilterNames, parseFilters } from "../filters.ts";

/** `10m`, `1h30m`, `45s` → milliseconds (the `until` of prune filters). */
function goDurationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_match, value: string, unit: string) => {
    total += Number(value) * units[unit]!;
    return "";
  });
  if (rest !== "" || text === "") throw new ShoalError("invalid_argument", `invalid filter 'until=${text}': give a time or a duration such as 24h`);
  return total;
}

/** Docker's one-line state: "Up 3 seconds", "Exited (0) 5 seconds ago", "Created"… */
export function statusText(record: ContainerRecord, now = Date.now()): string {
  const state = record.State;
  const since = (time: string) => humanDuration((now - Date.parse(time)) * 1e6);
  if (state.Running) {
    const health = state.Health ? ` (${state.Health.Status === "starting" ? "health: starting" : state.Health.Status})` : "";
    return `Up ${since(state.StartedAt)}${state.Paused ? " (Paused)" : health}`;
  }
  if (state.Restarting) return `Restarting (${state.ExitCode}) ${since(state.FinishedAt)} ago`;
  if (state.Status === "removing") return "Removal In Progress";
  if (state.Dead) return "Dead";
  if (state.StartedAt === ZERO_TIME) return "Created";
  if (state.FinishedAt === ZERO_TIME) return "";
  return `Exited (${state.ExitCode}) ${since(state.FinishedAt)} ago`;
}

/** Published ports as `docker ps` lists them. */
function ports(record: ContainerRecord) {
  const result: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  const source = record.State.Running ? record.NetworkSettings.Ports : {};
  for (const port of Object.keys({ ...(record.Config.ExposedPorts ?? {}), ...source })) {
    const [number, type] = port.split("/") as [string, string];
    const bindings = source[port];
    if (!bindings || bindings.length === 0) result.push({ PrivatePort: Number(number), Type: type });
    else for (const binding of bindings) result.push({ IP: binding.HostIp || "0.0.0.0", PrivatePort: Number(number), PublicPort: Number(binding.HostPort), Type: type });
  }
  return result;
}

/** `GET /containers/json` row. */
function summary(record: ContainerRecord) {
  return {
    Id: record.Id,
    Names: [record.Name],
    Image: record.Config.Image,
    ImageID: record.Image,
    Command: [record.Path, ...record.Args].join(" "),
    Created: Math.floor(Date.parse(record.Created) / 1000),
    Ports: ports(record),
    Labels: record.Config.Labels,
    State: record.State.Status,
    Status: statusText(record),
    HostConfig: { NetworkMode: record.HostConfig.NetworkMode },
    NetworkSettings: { Networks: record.NetworkSettings.Networks },
    Mounts: record.Mounts,
  };
}

/** `GET /containers/{id}/json`, as `docker inspect` reads it. */
function inspect(record: ContainerRecord, dir: string) {
  return {
    Id: record.Id,
    Created: record.Created,
    Path: record.Path,
    Args: record.Args,
    State: record.State,
    Image: record.Image,
    ResolvConfPath: `${dir}-etc/resolv.conf`,
    HostnamePath: `${dir}-etc/hostname`,
    HostsPath: `${dir}-etc/hosts`,
    LogPath: record.LogPath,
    Name: record.Name,
    RestartCount: record.RestartCount,
    Driver: "overlayfs",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: null,
    HostConfig: record.HostConfig,
    GraphDriver: { Name: "overlayfs", Data: { UpperDir: `${dir}/upper`, WorkDir: `${dir}/work`, MergedDir: `${dir}/bundle/rootfs` } },
    Mounts: record.Mounts,
    Config: record.Config,
    NetworkSettings: { Bridge: "", SandboxID: "", HairpinMode: false, ...record.NetworkSettings },
  };
}

function booleanQuery(value: string | undefined): boolean {
  return value === "1" || value === "true" || value === "True";
}

function timeoutQuery(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds)) throw new ShoalError("invalid_argument", `invalid value for t: ${JSON.stringify(value)}: give whole seconds`);
  return seconds;
}

function dimension(value: string | undefined, name: string): number {
  const number = Number(value);
  if (value === undefined || value === "" || !Number.isInteger(number) || number <= 0 || number > 65535) throw new ShoalError("invalid_argument", `invalid value for ${name}: ${JSON.stringify(value)}`);
  return number;
}

/** Containers: create, list, inspect, start, stop, kill, restart, wait, remove, logs. */
export function containerRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const containers = deps.containers;
  return new Hono<ApiEnv>()
    .post("/containers/create", async (c) => {
      const { record, warnings } = await containers.create(await readJsonObject(c), c.req.query("name"));
      return c.json({ Id: record.Id, Warnings: warnings }, 201);
    })
    .get("/containers/json", (c) => {
      const filters = parseFilters(c.req.query("filters"));
      checkFilterNames(filters, ["id", "name", "label", "status", "ancestor", "exited"]);
      const limit = Number(c.req.query("limit") ?? -1);
      const records = containers.list({ all: booleanQuery(c.req.query("all")), limit: booleanQuery(c.req.query("latest")) ? 1 : limit, filters: filters as ContainerFilters });
      return c.json(records.map(summary));
    })
    .get("/containers/:id/json", (c) => c.json(inspect(containers.get(c.req.param("id")), containers.dir(c.req.param("id")))))
    .post("/containers/:id/start", async (c) => ((await containers.start(c.req.param("id"))) ? c.body(null, 204) : c.body(null, 304)))
    .post("/containers/:id/stop", async (c) => {
      const stopped = await containers.stop(c.req.param("id"), timeoutQuery(c.req.query("t")), c.req.query("signal"));
      return c.body(null, stopped ? 204 : 304);
    })
    .post("/containers/:id/kill", async (c) => {
      await containers.kill(c.req.param("id"), c.req.query("signal") || "SIGKILL");
      return c.body(null, 204);
    })
    .post("/containers/:id/restart", async (c) => {
      await containers.restart(c.req.param("id"), timeoutQuery(c.req.query("t")), c.req.query("signal"));
      return c.body(null, 204);
    })
    .post("/containers/:id/wait", async (c) => {
      const id = containers.get(c.req.param("id")).Id;
      const condition = c.req.query("condition") || "not-running";
      // The client waits before it starts the container: answer the headers at once, the result at the exit.
      const result = containers.wait(id, condition, c.req.raw.signal);
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          try {
            controller.enqueue(new TextEncoder().encode(`${JSON.stringify(await result)}\n`));
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            controller.enqueue(new TextEncoder().encode(`${JSON.stringify({ StatusCode: -1, Error: { Message: message } })}\n`));
          }
          controller.close();
        },
      });
      return new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });
    })
    .post("/containers/:id/pause", async (c) => {
      await containers.pause(c.req.param("id"), true);
      return c.body(null, 204);
    })
    .post("/containers/:id/unpause", async (c) => {
      await containers.pause(c.req.param("id"), false);
      return c.body(null, 204);
    })
    .post("/containers/:id/rename", async (c) => {
      const name = c.req.query("name");
      if (!name) throw new ShoalError("invalid_argument", "give the new name (name=…)");
      await containers.rename(c.req.param("id"), name);
      return c.body(null, 204);
    })
    .post("/containers/prune", async (c) => {
      const filters = parseFilters(c.req.query("filters"));
      checkFilterNames(filters, ["until", "label"]);
      const until = filters.until?.[0];
      const untilMs = until === undefined ? undefined : /^\d+$/.test(until) ? Number(until) * 1000 : Date.now() - goDurationMs(until);
      const deleted = await containers.prune({ until: untilMs, label: filters.label });
      return c.json({ ContainersDeleted: deleted, SpaceReclaimed: 0 });
    })
    .post("/containers/:id/resize", (c) => {
      containers.resize(c.req.param("id"), dimension(c.req.query("h"), "h"), dimension(c.req.query("w"), "w"));
      return c.body(null, 200);
    })
    .delete("/containers/:id", async (c) => {
      await containers.remove(c.req.param("id"), booleanQuery(c.req.query("force")), booleanQuery(c.req.query("v")));
      return c.body(null, 204);
    })
    .get("/containers/:id/logs", (c) => {
      const record = containers.get(c.req.param("id"));
      const stdout = booleanQuery(c.req.query("stdout"));
      const stderr = booleanQuery(c.req.query("stderr"));
      if (!stdout && !stderr) throw new ShoalError("invalid_argument", "Bad parameters: you must choose at least one stream");
      const tailQuery = c.req.query("tail");
      const tail = tailQuery === undefined || tailQuery === "all" || tailQuery === "" ? undefined : Number(tailQuery);
      if (tail !== undefined && !Number.isInteger(tail)) throw new ShoalError("invalid_argument", `invalid value for tail: ${JSON.stringify(tailQuery)}: give a number or all`);
      const { since, until } = parseTimeRange(c.req.query("since"), c.req.query("until"));
      const timestamps = booleanQuery(c.req.query("timestamps"));
      const follow = booleanQuery(c.req.query("follow"));
      const tty = record.Config.Tty;
      const signal = c.req.raw.signal;
      const lines = containers.logs(record.Id, { follow, tail: tail !== undefined && tail >= 0 ? tail : undefined, signal });
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            for await (const line of lines) {
              if (signal.aborted) break;
              if ((line.stream === "stdout" && !stdout) || (line.stream === "stderr" && !stderr)) continue;
              const nanos = logTimeNanos(line.time);
              if (since !== 0n && nanos < since) continue;
              if (until !== 0n && nanos > until) {
                if (follow) break;
                continue;
              }
              const bytes = logLineBytes(line, timestamps);
              controller.enqueue(tty ? bytes : multiplexFrame(line.stream, bytes));
            }
          } finally {
            controller.close();
          }
        },
      });
      const contentType = tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
      return new Response(body, { status: 200, headers: { "Content-Type": contentType } });
    });
}
