import type { Context } from "hono";
import { ShoalError } from "../lib/index.ts";

/** Largest JSON request body the API reads (specs, not payloads; secrets are capped far lower). */
export const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Reads a request's JSON body as moby does: an empty body is `undefined`, a body needs
 * `Content-Type: application/json`, and malformed JSON is a 400 that says where it broke.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.length > MAX_JSON_BODY_BYTES) {
    throw new ShoalError("invalid_argument", `request body is larger than ${MAX_JSON_BODY_BYTES} bytes`);
  }
  if (text.trim() === "") return undefined;
  const contentType = c.req.header("Content-Type") ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new ShoalError(
      "invalid_argument",
      `unsupported Content-Type header (${contentType || "none"}): must be 'application/json'`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ShoalError("invalid_argument", `invalid JSON in request body: ${detail}`, { cause: error });
  }
}

/** Reads a JSON body that must be an object (a spec), refusing arrays, scalars and nothing. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const body = await readJsonBody(c);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ShoalError("invalid_argument", "request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}
