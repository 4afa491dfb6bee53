import { Hono } from "hono";
import { API_VERSION, BUILD_INFO } from "../lib/index.ts";
import type { ApiDeps, ApiEnv } from "./api-env.ts";
import { negotiatedVersion, splitVersionedPath } from "./api-version.ts";
import { errorResponse, responseForError } from "./http-errors.ts";
import { configRoutes } from "./routes/configs.ts";
import { containerRoutes } from "./routes/containers.ts";
import { eventRoutes } from "./routes/events.ts";
import { execRoutes } from "./routes/execs.ts";
import { imageRoutes } from "./routes/images.ts";
import { networkRoutes } from "./routes/networks.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { serviceLogRoutes } from "./routes/service-logs.ts";
import { secretRoutes } from "./routes/secrets.ts";
import { serviceRoutes } from "./routes/services.ts";
import { swarmRoutes } from "./routes/swarm.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { volumeRoutes } from "./routes/volumes.ts";
import { systemRoutes } from "./routes/system.ts";

/** Headers moby puts on every response. */
function commonHeaders(): Record<string, string> {
  return {
    "Api-Version": API_VERSION,
    Ostype: "linux",
    Server: `shoal/${BUILD_INFO.version} (linux)`,
  };
}

/**
 * The Docker Engine API as shoal serves it: every route both unversioned and under `/vX.Y/`,
 * versions outside 1.24–1.51 refused, JSON errors in moby's `{"message": …}` form.
 */
export function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>({
    getPath: (request) => splitVersionedPath(new URL(request.url).pathname).path,
  });

  app.use(async (c, next) => {
    const started = performance.now();
    const { version } = splitVersionedPath(new URL(c.req.url).pathname);
    let status: number;
    try {
      c.set("apiVersion", negotiatedVersion(version));
      await next();
      status = c.res.status;
    } catch (error) {
      const failure = responseForError(error);
      c.res = failure.response;
      status = failure.status;
    }
    for (const [name, value] of Object.entries(commonHeaders())) c.res.headers.set(name, value);
    deps.logger.debug("api request", {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status,
      "duration.ms": Math.round((performance.now() - started) * 100) / 100,
    });
  });

  app.route("/", systemRoutes(deps));
  app.route("/", imageRoutes(deps));
  app.route("/", containerRoutes(deps));
  app.route("/", volumeRoutes(deps));
  app.route(
    "/",
    networkRoutes({
      networks: deps.networks,
      connectContainer: (container, network) => deps.containers.connectNetwork(container, network),
      disconnectContainer: (container, network) => deps.containers.disconnectNetwork(container, network),
    }),
  );
  app.route("/", eventRoutes(deps));
  app.route("/", swarmRoutes(deps));
  app.route("/", nodeRoutes(deps));
  app.route("/", serviceLogRoutes(deps));
  app.route("/", serviceRoutes(deps));
  app.route("/", taskRoutes(deps));
  app.route("/", secretRoutes(deps));
  app.route("/", configRoutes(deps));
  app.route("/", execRoutes(deps));

  app.notFound(() => errorResponse(404, "page not found"));
  app.onError((error) => {
    const failure = responseForError(error);
    if (failure.status >= 500) deps.logger.error("api handler failed", { error: String(error) });
    return failure.response;
  });
  return app;
}
