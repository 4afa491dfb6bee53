import { Hono } from "hono";
import { ShoalError } from "../../lib/index.ts";
import type { ApiEnv, SwarmSource } from "../api-env.ts";
import { parseFilters } from "../filters.ts";
import { readJsonObject } from "../json-body.ts";

/** The `version` query of an update: the object's Version.Index the client read. */
export function versionQuery(value: string | undefined): number {
  const version = Number(value);
  if (value === undefined || value === "" || !Number.isSafeInteger(version) || version < 0) {
    throw new ShoalError("invalid_argument", `invalid version ${JSON.stringify(value ?? "")}: give the Version.Index you read (inspect the object first)`);
  }
  return version;
}

/** `/nodes`: list (Docker's node filters), inspect by ID, hostname or unique ID prefix, update, remove. */
export function nodeRoutes(deps: { swarm: SwarmSource }): Hono<ApiEnv> {
  return new Hono<ApiEnv>()
    .get("/nodes", (c) => c.json(deps.swarm.nodes(parseFilters(c.req.query("filters")))))
    .get("/nodes/:id", (c) => c.json(deps.swarm.node(c.req.param("id"))))
    .post("/nodes/:id/update", async (c) => {
      await deps.swarm.updateNode(c.req.param("id"), versionQuery(c.req.query("version")), await readJsonObject(c));
      return c.body(null, 200);
    })
    .delete("/nodes/:id", async (c) => {
      await deps.swarm.removeNode(c.req.param("id"), ["1", "true"].includes(c.req.query("force") ?? ""));
      return c.body(null, 200);
    });
}
