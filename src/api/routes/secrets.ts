import type { Hono } from "hono";
import type { ApiEnv, SwarmSource } from "../api-env.ts";
import { payloadRoutes } from "./payload-routes.ts";

/** `/secrets` as moby serves it on a manager: the answers never carry a secret's data. */
export function secretRoutes(deps: { swarm: SwarmSource }): Hono<ApiEnv> {
  const { swarm } = deps;
  return payloadRoutes("secret", {
    list: (filters) => swarm.secrets(filters),
    inspect: (ref) => swarm.secret(ref),
    create: (spec) => swarm.createSecret(spec),
    update: (ref, version, spec) => swarm.updateSecret(ref, version, spec),
    remove: (ref) => swarm.removeSecret(ref),
  });
}
