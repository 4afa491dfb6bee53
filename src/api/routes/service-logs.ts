import { Hono } from "hono";
import { ShoalError } from "../../lib/index.ts";
import type { LogOptions, LogSelector, PublishedLogLine } from "../../types/index.ts";
import type { ApiEnv, SwarmSource } from "../api-env.ts";
import { dockerTimestamp, logTimeNanos, multiplexFrame, parseTimeRange } from "../log-stream.ts";

const encoder = new TextEncoder();

function booleanQuery(value: string | undefined): boolean {
  return value === "1" || value === "true";
}

/** Docker's `details=1` prefix: the line's context as sorted `key=value` pairs (values query-escaped). */
export function logDetails(line: PublishedLogLine): string {
  return [`com.docker.swarm.node.id=${encodeURIComponent(line.nodeId)}`, `com.docker.swarm.service.id=${encodeURIComponent(line.serviceId)}`, `com.docker.swarm.task.id=${encodeURIComponent(line.taskId)}`].join(",");
}

/** Moby's text for logs that could not all be had (the docker CLI prints it after "error from daemon in stream: "). */
export function incompleteLogsMessage(warnings: readonly string[]): string {
  return `Error grabbing logs: rpc error: code = Unknown desc = warning: incomplete log stream. some logs could not be retrieved for the following reasons: ${warnings.join(", ")}`;
}

/** `/services/{id}/logs` and `/tasks/{id}/logs`: the tasks' lines from every node that runs them, in docker's multiplexed stream. */
export function serviceLogRoutes(deps: { swarm: Pick<SwarmSource, "service" | "task" | "serviceLogs"> }): Hono<ApiEnv> {
  const serve = (selector: LogSelector, query: (name: string) => string | undefined, signal: AbortSignal): Response => {
    const stdout = booleanQuery(query("stdout"));
    const stderr = booleanQuery(query("stderr"));
    if (!stdout && !stderr) throw new ShoalError("invalid_argument", "Bad parameters: you must choose at least one stream");
    const tailQuery = query("tail");
    const tail = tailQuery === undefined || tailQuery === "all" || tailQuery === "" ? undefined : Number(tailQuery);
    if (tail !== undefined && !Number.isInteger(tail)) throw new ShoalError("invalid_argument", `invalid value for tail: ${JSON.stringify(tailQuery)}: give a number or all`);
    const { since, until } = parseTimeRange(query("since"), query("until"));
    const timestamps = booleanQuery(query("timestamps"));
    const details = booleanQuery(query("details"));
    const follow = booleanQuery(query("follow"));
    const options: LogOptions = { follow, ...(tail !== undefined && tail >= 0 ? { tail } : {}), ...(since !== 0n ? { sinceMs: Number(since / 1_000_000n) } : {}) };
    const batches = deps.swarm.serviceLogs(selector, options, signal);
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const warnings: string[] = [];
        try {
          for await (const batch of batches) {
            warnings.push(...(batch.warnings ?? []));
            for (const line of batch.lines) {
              if ((line.stream === "stdout" && !stdout) || (line.stream === "stderr" && !stderr)) continue;
              const nanos = logTimeNanos(line.time);
              if (since !== 0n && nanos < since) continue;
              if (until !== 0n && nanos > until) continue;
              const prefix = `${timestamps ? `${dockerTimestamp(line.time)} ` : ""}${details ? `${logDetails(line)} ` : ""}`;
              controller.enqueue(multiplexFrame(line.stream, encoder.encode(`${prefix}${line.text}${line.complete ? "\n" : ""}`)));
            }
          }
          if (warnings.length > 0) controller.enqueue(multiplexFrame("systemerr", encoder.encode(incompleteLogsMessage(warnings))));
        } catch (error) {
          if (!signal.aborted) controller.enqueue(multiplexFrame("systemerr", encoder.encode(`Error grabbing logs: ${(error as Error).message}`)));
        } finally {
          controller.close();
        }
      },
    });
    return new Response(body, { status: 200, headers: { "Content-Type": "application/vnd.docker.multiplexed-stream" } });
  };
  return new Hono<ApiEnv>()
    .get("/services/:id/logs", (c) => {
      const service = deps.swarm.service(c.req.param("id"), { insertDefaults: false });
      return serve({ serviceIds: [service.ID], taskIds: [] }, (name) => c.req.query(name), c.req.raw.signal);
    })
    .get("/tasks/:id/logs", (c) => {
      const task = deps.swarm.task(c.req.param("id"));
      return serve({ serviceIds: [], taskIds: [task.ID] }, (name) => c.req.query(name), c.req.raw.signal);
    });
}
