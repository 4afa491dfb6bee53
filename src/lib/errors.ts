/** The closed set of error kinds every shoal boundary speaks; the API maps them to HTTP. */
export const ERROR_CODES = [
  "not_found",
  "already_exists",
  "name_conflict",
  "sequence_conflict",
  "invalid_argument",
  "failed_precondition",
  "permission_denied",
  "unavailable",
  "deadline_exceeded",
  "cancelled",
  "resource_exhausted",
  "unimplemented",
  "internal",
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error type of shoal: a closed code, a message a user can act on, and the lower error. */
export class ShoalError extends Error {
  override readonly name = "ShoalError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The wire form carried between nodes and rebuilt on the other side. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** True when `value` is one of the known error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Wraps anything thrown into a ShoalError, keeping ShoalErrors as they are. */
export function toShoalError(error: unknown, fallback: ErrorCode = "internal"): ShoalError {
  if (error instanceof ShoalError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ShoalError(fallback, message, { cause: error });
}
