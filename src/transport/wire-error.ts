import { ShoalError, isErrorCode } from "../lib/index.ts";

/** Encodes an error as it travels in RESET and GOAWAY frames: `{code, message}` as JSON. */
export function encodeWireError(error: ShoalError): Uint8Array {
  return Buffer.from(JSON.stringify(error.toJSON()));
}

/** Rebuilds the error a peer sent; anything unreadable becomes an internal error saying so. */
export function decodeWireError(payload: Uint8Array): ShoalError {
  try {
    const value = JSON.parse(Buffer.from(payload).toString("utf8")) as { code?: unknown; message?: unknown };
    if (isErrorCode(value.code) && typeof value.message === "string") return new ShoalError(value.code, value.message);
  } catch {
    // fall through
  }
  return new ShoalError("internal", "peer sent an unreadable error");
}
