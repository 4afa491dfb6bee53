import { ShoalError } from "../../lib/index.ts";

/** The refusal to start on a raft state that is damaged or inconsistent; it never gets repaired silently. */
export function corruptStateError(where: string, what: string, cause?: unknown): ShoalError {
  return new ShoalError(
    "failed_precondition",
    `raft state in ${where} is corrupt: ${what}; refusing to start — restore the data root from a backup, or remove this manager and join it again`,
    { cause },
  );
}

/** The answer to a call on a raft storage after `close()`. */
export function closedStorageError(where: string): ShoalError {
  return new ShoalError("failed_precondition", `raft storage in ${where} is closed`);
}
