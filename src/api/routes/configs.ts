import type { Hono } from "hono";
import type { ApiEnv, SwarmSource } from "../api-env.ts";
import { payloadRoutes } from "./payload-routes.ts";

/** `/configs` as moby serves it on a manager (configs are shown with their data). */
export function configRoutes(deps: { swarm: SwarmSource }): Hono<ApiEnv> {
  const { swarm } = deps;
  return payloadRoutes("config", {
    list: (filters) => swarm.configs(filters),
    inspect: (ref) => swarm.config(ref),
    create: (spec) => swarm.createConfig(spec),
    update: (ref, version, spec) => swarm.updateConfig(ref, version, spec),
    remove: (ref) => swarm.removeConfig(ref),
  });
}
