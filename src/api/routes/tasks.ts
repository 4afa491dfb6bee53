import { Hono } from "hono";
import type { ApiEnv, SwarmSource } from "../api-env.ts";
import { parseFilters } from "../filters.ts";

/** `/tasks`: list (Docker's task filters, `_up-to-date` included) and inspect by ID, name or unique ID prefix. */
export function taskRoutes(deps: { swarm: SwarmSource }): Hono<ApiEnv> {
  return new Hono<ApiEnv>()
    .get("/tasks", (c) => c.json(deps.swarm.tasks(parseFilters(c.req.query("filters")))))
    .get("/tasks/:id", (c) => c.json(deps.swarm.task(c.req.param("id"))));
}
