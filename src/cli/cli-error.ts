/** An error the CLI reports on stderr before exiting with `exitCode` (docker's wording). */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A non-2xx reply of the daemon, keeping its HTTP status so callers can tell "not found" apart. */
export class DaemonError extends CliError {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Whether an error is the daemon's 404 ("No such container", "No such image"…). */
export function isNotFound(error: unknown): boolean {
  return error instanceof DaemonError && error.status === 404;
}
