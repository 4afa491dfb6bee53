import type { ContentfulStatusCode } from "hono/utils/http-status";
import { toShoalError, type ErrorCode } from "../lib/index.ts";
import type { ErrorResponse } from "../types/index.ts";

/** The HTTP status each error code answers with, as moby's errdefs map them. */
export const HTTP_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  not_found: 404,
  already_exists: 409,
  name_conflict: 409,
  sequence_conflict: 409,
  invalid_argument: 400,
  failed_precondition: 400,
  permission_denied: 403,
  unavailable: 503,
  deadline_exceeded: 504,
  cancelled: 499 as ContentfulStatusCode,
  resource_exhausted: 429,
  unimplemented: 501,
  internal: 500,
};

/** A Docker-style JSON error response (`{"message": …}` with exactly `application/json`). */
export function errorResponse(status: ContentfulStatusCode, message: string, headers?: Record<string, string>): Response {
  const body: ErrorResponse = { message };
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set("Content-Type", "application/json");
  return response;
}

/** Turns anything thrown by a handler into the HTTP error the docker CLI understands. */
export function responseForError(error: unknown): { response: Response; status: ContentfulStatusCode } {
  const shoalError = toShoalError(error);
  const status = HTTP_STATUS[shoalError.code];
  return { response: errorResponse(status, shoalError.message), status };
}
