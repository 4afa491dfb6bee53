import { openSync, closeSync } from "node:fs";
import { ERRNO, SyscallError, errno, libc } from "./libc.ts";

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

/** An exclusive advisory lock (flock) held for as long as the process keeps it. */
export interface FileLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes an exclusive flock on `path` without waiting. Returns null when another process holds it.
 * The kernel drops the lock when the holder dies, so a crashed daemon never leaves a stale lock.
 */
export function tryLockFile(path: string): FileLock | null {
  const fd = openSync(path, "a", 0o600);
  if (libc().flock(fd, LOCK_EX | LOCK_NB) < 0) {
    const code = errno();
    closeSync(fd);
    if (code === ERRNO.EWOULDBLOCK) return null;
    throw new SyscallError("flock", code);
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      libc().flock(fd, LOCK_UN);
      closeSync(fd);
    },
  };
}
