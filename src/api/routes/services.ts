import { Hono } from "hono";
import { ShoalError, compareApiVersions } from "../../lib/index.ts";
import type { ApiEnv, SwarmSource } from "../api-env.ts";
import { parseFilters } from "../filters.ts";
import { readJsonObject } from "../json-body.ts";

/** Go's `strconv.ParseBool`, as moby reads boolean query parameters; `undefined` when absent or empty. */
export function goBool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw new ShoalError("invalid_argument", `invalid value for ${name}: ${value}`);
}

/** The `version` query of a service update (moby's text when it is not a number). */
function serviceVersion(value: string | undefined): number {
  const raw = value ?? "";
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ShoalError("invalid_argument", `invalid service version '${raw}': strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return Number(raw);
}

/** The `registryAuthFrom` query: `spec` (the default) or `previous-spec`. */
function registryAuthFrom(value: string | undefined): "spec" | "previous-spec" | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "spec" || value === "previous-spec") return value;
  throw new ShoalError("invalid_argument", `invalid registryAuthFrom '${value}'`);
}

/**
 * `/services` as moby's swarm router serves it: create (201 `{ID}`, the `X-Registry-Auth` header
 * passed on), list (`filters`, `status` from API 1.41), inspect (`insertDefaults`), update
 * (`version`, `rollback`, `registryAuthFrom`), remove.
 */
export function serviceRoutes(deps: { swarm: SwarmSource }): Hono<ApiEnv> {
  return new Hono<ApiEnv>()
    .post("/services/create", async (c) => {
      const registryAuth = c.req.header("X-Registry-Auth") || undefined;
      const created = await deps.swarm.createService(await readJsonObject(c), registryAuth ? { registryAuth } : {});
      return c.json(created, 201);
    })
    .get("/services", (c) => {
      const status = compareApiVersions(c.get("apiVersion"), "1.41") >= 0 && goBool("status", c.req.query("status")) === true;
      return c.json(deps.swarm.services(parseFilters(c.req.query("filters")), { status }));
    })
    .get("/services/:id", (c) => {
      const insertDefaults = goBool("insertDefaults", c.req.query("insertDefaults")) === true;
      return c.json(deps.swarm.service(c.req.param("id"), { insertDefaults }));
    })
    .post("/services/:id/update", async (c) => {
      const version = serviceVersion(c.req.query("version"));
      const from = registryAuthFrom(c.req.query("registryAuthFrom"));
      const registryAuth = c.req.header("X-Registry-Auth") || undefined;
      const rollback = c.req.query("rollback");
      const result = await deps.swarm.updateService(c.req.param("id"), version, await readJsonObject(c), {
        ...(rollback !== undefined ? { rollback } : {}),
        ...(from ? { registryAuthFrom: from } : {}),
        ...(registryAuth ? { registryAuth } : {}),
      });
      return c.json(result);
    })
    .delete("/services/:id", async (c) => {
      await deps.swarm.removeService(c.req.param("id"));
      return c.body(null, 200);
    });
}
