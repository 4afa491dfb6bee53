import { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../api-env.ts";

/** `/_ping`, `/version`, `/info`: what every docker CLI command asks first. */
export function systemRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const pingHeaders = (): Record<string, string> => ({
    "Cache-Control": "no-cache, no-store, must-revalidate",
    Pragma: "no-cache",
    "Docker-Experimental": "false",
    "Builder-Version": "1",
    Swarm: deps.system.swarmHeader(),
    "Content-Type": "text/plain; charset=utf-8",
  });
  return new Hono<ApiEnv>()
    .on("HEAD", "/_ping", (c) => c.body(null, 200, { ...pingHeaders(), "Content-Length": "0" }))
    .get("/_ping", (c) => c.body("OK", 200, pingHeaders()))
    .get("/version", async (c) => c.json(await deps.system.version()))
    .get("/info", async (c) => c.json(await deps.system.info()));
}
