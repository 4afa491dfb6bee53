import { Hono } from "hono";
import type { EngineEvent } from "../../engine/index.ts";
import type { ApiDeps, ApiEnv } from "../api-env.ts";
import { checkFilterNames, parseFilters } from "../filters.ts";
import { parseTimeRange } from "../log-stream.ts";

/** Whether an event passes docker's event filters (type, event/action, container, image, label…). */
export function eventMatches(event: EngineEvent, filters: Record<string, string[]>): boolean {
  const any = (values: string[] | undefined, test: (value: string) => boolean) => !values || values.length === 0 || values.some(test);
  const attributes = event.Actor.Attributes;
  return (
    any(filters.type, (value) => event.Type === value) &&
    any(filters.event, (value) => event.Action === value || event.Action.startsWith(`${value}:`)) &&
    any(filters.container, (value) => event.Type === "container" && (event.Actor.ID.startsWith(value) || attributes.name === value)) &&
    any(filters.image, (value) => attributes.image === value || event.Actor.ID === value) &&
    any(filters.volume, (value) => event.Type === "volume" && event.Actor.ID === value) &&
    any(filters.network, (value) => event.Type === "network" && (event.Actor.ID.startsWith(value) || attributes.name === value)) &&
    any(filters.scope, (value) => event.scope === value) &&
    any(filters.node, (value) => event.Type === "node" && (event.Actor.ID === value || attributes.name === value)) &&
    any(filters.service, (value) => event.Type === "service" && (event.Actor.ID === value || attributes.name === value)) &&
    (filters.label ?? []).every((value) => {
      const [key, expected] = value.split("=", 2) as [string, string | undefined];
      return key in attributes && (expected === undefined || attributes[key] === expected);
    })
  );
}

/** `GET /events`: past events from `since`, then live ones until `until` or the client leaves (JSON lines). */
export function eventRoutes(deps: ApiDeps): Hono<ApiEnv> {
  return new Hono<ApiEnv>().get("/events", (c) => {
    const filters = parseFilters(c.req.query("filters"));
    checkFilterNames(filters, ["type", "event", "container", "image", "volume", "network", "label", "daemon", "scope", "node", "service"]);
    const { since, until } = parseTimeRange(c.req.query("since"), c.req.query("until"));
    const encoder = new TextEncoder();
    const signal = c.req.raw.signal;
    let unsubscribe = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let closed = false;
        const close = () => {
          if (closed) return;
          closed = true;
          unsubscribe();
          clearTimeout(timer);
          controller.close();
        };
        const send = (event: EngineEvent) => {
          if (closed || !eventMatches(event, filters)) return;
          if (until !== 0n && BigInt(event.timeNano) > until) return close();
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        };
        if (since !== 0n) for (const event of deps.events.since(Number(since))) send(event);
        const now = BigInt(Date.now()) * 1_000_000n;
        if (until !== 0n && until <= now) return close();
        unsubscribe = deps.events.subscribe(send);
        if (until !== 0n) timer = setTimeout(close, Number((until - now) / 1_000_000n));
        signal.addEventListener("abort", close);
      },
      cancel() {
        unsubscribe();
        clearTimeout(timer);
      },
    });
    return new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });
  });
}
