import { Hono, type Context } from "hono";
import type { VolumeCreateOptions } from "../../engine/index.ts";
import { ShoalError, compareApiVersions } from "../../lib/index.ts";
import type { ApiEnv, VolumeSource } from "../api-env.ts";
import { parseFilters } from "../filters.ts";
import { readJsonBody } from "../json-body.ts";

/** An object of string values in a request body (`Labels`, `DriverOpts`), or undefined when absent. */
function stringMap(body: Record<string, unknown>, field: string): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((item) => typeof item === "string")) {
    throw new ShoalError("invalid_argument", `invalid volume create request: ${field} must be an object of string values`);
  }
  return value as Record<string, string>;
}

/** A string field of a request body, or undefined when absent. */
function stringField(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new ShoalError("invalid_argument", `invalid volume create request: ${field} must be a string`);
  return value;
}

/** Reads and checks `POST /volumes/create`'s body (an empty body creates an anonymous volume). */
async function createOptions(c: Context<ApiEnv>): Promise<VolumeCreateOptions> {
  const body = (await readJsonBody(c)) ?? {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ShoalError("invalid_argument", "request body must be a JSON object");
  const fields = body as Record<string, unknown>;
  if (fields.ClusterVolumeSpec !== undefined && fields.ClusterVolumeSpec !== null) {
    throw new ShoalError("unimplemented", "cluster volumes are not supported: create a local volume (without --group, --scope, --sharing or --availability)");
  }
  return {
    Name: stringField(fields, "Name"),
    Driver: stringField(fields, "Driver"),
    DriverOpts: stringMap(fields, "DriverOpts"),
    Labels: stringMap(fields, "Labels"),
  };
}

/** Named local volumes: list, create, inspect, remove, prune. */
export function volumeRoutes(deps: { volumes: VolumeSource }): Hono<ApiEnv> {
  return new Hono<ApiEnv>()
    .get("/volumes", (c) => c.json({ Volumes: deps.volumes.list(parseFilters(c.req.query("filters"))), Warnings: [] }))
    .post("/volumes/create", async (c) => c.json(await deps.volumes.create(await createOptions(c)), 201))
    .post("/volumes/prune", async (c) => {
      const filters = parseFilters(c.req.query("filters"));
      // Before API 1.42 prune removed every unused volume, not only anonymous ones.
      if (compareApiVersions(c.get("apiVersion"), "1.42") < 0 && !("all" in filters)) filters.all = ["true"];
      return c.json(await deps.volumes.prune(filters));
    })
    .get("/volumes/:name", (c) => c.json(deps.volumes.get(c.req.param("name"))))
    .delete("/volumes/:name", async (c) => {
      await deps.volumes.remove(c.req.param("name"), ["1", "true"].includes(c.req.query("force") ?? ""));
      return c.body(null, 204);
    });
}
