import { randomBytes } from "node:crypto";
import { open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ShoalError } from "../lib/index.ts";

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** The file's permission bits, e.g. 0o600 (set explicitly, whatever the umask). */
  mode: number;
  /** Fault injection for crash tests: runs once the temp file is written and synced, just before the rename. */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

/**
 * Replaces `path` so that a reader, or a restart after a crash, sees either the old content or the new, never a mix:
 * write a temp file in the same directory, fsync it, rename it over the target, fsync the directory.
 * Temp files left by an earlier crash are removed first.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.tmp-`;
  const temp = join(dir, prefix + randomBytes(6).toString("hex"));
  try {
    await removeStaleTemps(dir, prefix);
    const file = await open(temp, "wx", options.mode);
    try {
      await file.chmod(options.mode);
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await options.beforeRename?.(temp);
    await rename(temp, path);
    await syncDirectory(dir);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw fileError(error, `cannot write ${path}`);
  }
}

/** Flushes a directory's entries (a rename is durable only once its directory is synced). */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeStaleTemps(dir: string, prefix: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith(prefix)) await unlink(join(dir, name)).catch(() => {});
  }
}

/** A file system error as a ShoalError naming what failed; errno codes stay in the message, never as the type. */
export function fileError(error: unknown, what: string): ShoalError {
  if (error instanceof ShoalError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const code = errno === "ENOSPC" || errno === "EDQUOT" ? "resource_exhausted" : errno === "EACCES" || errno === "EPERM" ? "permission_denied" : "internal";
  return new ShoalError(code, `${what}: ${message}`, { cause: error });
}
