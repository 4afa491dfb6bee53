import { Hono } from "hono";
import { ShoalError, compareApiVersions } from "../../lib/index.ts";
import type { ApiEnv } from "../api-env.ts";
import { parseFilters } from "../filters.ts";
import { readJsonBody } from "../json-body.ts";

/** What the routes of one kind of payload object (secrets or configs) call. */
export interface PayloadOperations<T> {
  list(filters: Record<string, string[]>): T[];
  inspect(ref: string): T;
  create(spec: unknown): Promise<{ ID: string }>;
  update(ref: string, version: number, spec: unknown): Promise<void>;
  remove(ref: string): Promise<void>;
}

/** The `version` query of an update, refused with moby's text (`invalid secret version`) unless it is a uint64. */
function objectVersion(kind: string, value: string | undefined): number {
  if (!/^\d+$/.test(value ?? "") || !Number.isSafeInteger(Number(value))) throw new ShoalError("invalid_argument", `invalid ${kind} version`);
  return Number(value);
}

/** True when a spec body asks for templating (a non-null `Templating`), which API versions before 1.37 cannot carry. */
function asksForTemplating(body: unknown): boolean {
  return typeof body === "object" && body !== null && (body as Record<string, unknown>).Templating != null;
}

/**
 * `/<kind>s` as moby's swarm router serves secrets and configs: list (`filters`), create (201
 * `{ID}`; templating from API 1.37), inspect, update (`version`; 200 with no body) and remove (204).
 */
export function payloadRoutes<T>(kind: "secret" | "config", operations: PayloadOperations<T>): Hono<ApiEnv> {
  const base = `/${kind}s`;
  return new Hono<ApiEnv>()
    .get(base, (c) => c.json(operations.list(parseFilters(c.req.query("filters")))))
    .post(`${base}/create`, async (c) => {
      const body = await readJsonBody(c);
      const version = c.get("apiVersion");
      if (asksForTemplating(body) && compareApiVersions(version, "1.37") < 0) {
        throw new ShoalError("invalid_argument", `${kind} templating is not supported on the specified API version: ${version}`);
      }
      const { ID } = await operations.create(body);
      return c.json({ ID }, 201);
    })
    .get(`${base}/:id`, (c) => c.json(operations.inspect(c.req.param("id"))))
    .post(`${base}/:id/update`, async (c) => {
      const body = await readJsonBody(c);
      await operations.update(c.req.param("id"), objectVersion(kind, c.req.query("version")), body);
      return c.body(null, 200);
    })
    .delete(`${base}/:id`, async (c) => {
      await operations.remove(c.req.param("id"));
      return c.body(null, 204);
    });
}
