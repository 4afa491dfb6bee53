/** api: the Docker Engine API served with hono. */
export { createApi } from "./app.ts";
export type { ApiDeps, ApiEnv, ContainerSource, EventSource, ImageSource, NetworkCreateOptions, NetworkResource, NetworkSource, SwarmInitRequest, SwarmSource, SystemSource, VolumeSource } from "./api-env.ts";
export { negotiatedVersion, splitVersionedPath } from "./api-version.ts";
export { HTTP_STATUS, errorResponse, responseForError } from "./http-errors.ts";
export { MAX_JSON_BODY_BYTES, readJsonBody, readJsonObject } from "./json-body.ts";
export { upgradeHead, writeHijackError } from "./hijack.ts";
export type { HijackHandler, HijackRequest } from "./hijack.ts";
export { hijackRoutes } from "./routes/attach.ts";
