import { expect, test } from "bun:test";
import type { LogOptions, LogSelector, PublishedLogLine, Service, Task } from "../../types/index.ts";
import { serviceLogRoutes } from "./service-logs.ts";

/** Splits docker's multiplexed stream into [stream id, text] frames. */
function frames(bytes: Uint8Array): [number, string][] {
  const out: [number, string][] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = new DataView(bytes.buffer, bytes.byteOffset + at + 4, 4).getUint32(0);
    out.push([bytes[at]!, new TextDecoder().decode(bytes.subarray(at + 8, at + 8 + size))]);
    at += 8 + size;
  }
  return out;
}

const line = (text: string, stream: "stdout" | "stderr" = "stdout"): PublishedLogLine => ({
  time: "2026-11-28T10:00:00.000000001Z",
  stream,
  text,
  complete: true,
  taskId: "t1",
  serviceId: "s1",
  nodeId: "n1",
});

function app(batches: { lines: PublishedLogLine[]; warnings?: string[] }[]) {
  const asked: { selector: LogSelector; options: LogOptions }[] = [];
  const routes = serviceLogRoutes({
    swarm: {
      service: (ref) => ({ ID: ref === "web" ? "s1" : ref }) as Service,
      task: (ref) => ({ ID: ref }) as Task,
      serviceLogs: (selector, options) => {
        asked.push({ selector, options });
        return (async function* () {
          yield* batches;
        })();
      },
    },
  });
  return { routes, asked };
}

test("lines come as docker's frames with the details and timestamps the CLI parses; a missing node ends in a systemerr frame", async () => {
  const { routes, asked } = app([{ lines: [line("hello"), line("oops", "stderr")] }, { lines: [], warnings: ["node n2 is not available"] }]);
  const response = await routes.request("/services/web/logs?stdout=1&stderr=1&details=1&timestamps=1&tail=5&follow=0");
  expect(response.headers.get("content-type")).toBe("application/vnd.docker.multiplexed-stream");
  expect(frames(new Uint8Array(await response.arrayBuffer()))).toEqual([
    [1, "2026-11-28T10:00:00.000000001Z com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 hello\n"],
    [2, "2026-11-28T10:00:00.000000001Z com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 oops\n"],
    [3, "Error grabbing logs: rpc error: code = Unknown desc = warning: incomplete log stream. some logs could not be retrieved for the following reasons: node n2 is not available"],
  ]);
  expect(asked).toEqual([{ selector: { serviceIds: ["s1"], taskIds: [] }, options: { follow: false, tail: 5 } }]);
});

test("task logs select the task; stderr only drops stdout; no stream at all is refused in docker's words", async () => {
  const { routes, asked } = app([{ lines: [line("out"), line("err", "stderr")] }]);
  const response = await routes.request("/tasks/t1/logs?stderr=1");
  expect(frames(new Uint8Array(await response.arrayBuffer()))).toEqual([[2, "err\n"]]);
  expect(asked[0]!.selector).toEqual({ serviceIds: [], taskIds: ["t1"] });
  routes.onError((error, c) => c.text(error.message, 400));
  const refused = await routes.request("/tasks/t1/logs");
  expect([refused.status, await refused.text()]).toEqual([400, "Bad parameters: you must choose at least one stream"]);
});
