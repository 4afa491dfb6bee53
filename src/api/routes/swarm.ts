import { Hono } from "hono";
import { ShoalError } from "../../lib/index.ts";
import type { ApiEnv, SwarmSource } from "../api-env.ts";
import { readJsonObject } from "../json-body.ts";
import { versionQuery } from "./nodes.ts";
import { parseSwarmInitRequest } from "./swarm-init-request.ts";
import { parseSwarmJoinRequest } from "./swarm-join-request.ts";

/** `/swarm`: init, join, inspect (with join tokens), update (spec, token and unlock key rotation), leave, unlock key and unlock. */
export function swarmRoutes(deps: { swarm: SwarmSource }): Hono<ApiEnv> {
  return new Hono<ApiEnv>()
    .post("/swarm/init", async (c) => c.json(await deps.swarm.init(parseSwarmInitRequest(await readJsonObject(c)))))
    .post("/swarm/join", async (c) => {
      await deps.swarm.join(parseSwarmJoinRequest(await readJsonObject(c)));
      return c.body(null, 200);
    })
    .get("/swarm", (c) => c.json(deps.swarm.inspect()))
    .post("/swarm/update", async (c) => {
      const flag = (name: string) => ["1", "true"].includes(c.req.query(name) ?? "");
      const rotate = { worker: flag("rotateWorkerToken"), manager: flag("rotateManagerToken"), managerUnlockKey: flag("rotateManagerUnlockKey") };
      await deps.swarm.update(versionQuery(c.req.query("version")), await readJsonObject(c), rotate);
      return c.body(null, 200);
    })
    .get("/swarm/unlockkey", (c) => c.json({ UnlockKey: deps.swarm.unlockKey() }))
    .post("/swarm/unlock", async (c) => {
      const { UnlockKey: key = "" } = await readJsonObject(c);
      if (typeof key !== "string") throw new ShoalError("invalid_argument", "UnlockKey must be a string (the SWMKEY-1-… key)");
      await deps.swarm.unlock(key);
      return c.body(null, 200);
    })
    .post("/swarm/leave", async (c) => {
      await deps.swarm.leave(["1", "true"].includes(c.req.query("force") ?? ""));
      return c.body(null, 200);
    });
}
