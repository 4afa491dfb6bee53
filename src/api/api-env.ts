import type { Logger } from "../lib/index.ts";
import type { SystemInfo, SystemVersion } from "../types/index.ts";

/** What the system routes read; the node gives the real one, tests a fixture. */
export interface SystemSource {
  version(): Promise<SystemVersion>;
  info(): Promise<SystemInfo>;
  /** The `Swarm` ping header: `inactive`, `active/manager`, `active/worker`, `locked`… */
  swarmHeader(): string;
}

/** Everything the API needs from the layers below. */
export interface ApiDeps {
  system: SystemSource;
  logger: Logger;
}

/** Hono environment of every API handler: the negotiated API version of the request. */
export interface ApiEnv {
  Variables: { apiVersion: string };
}
