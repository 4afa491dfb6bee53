import { check, errno, libc, SyscallError } from "./libc.ts";

const MNT_DETACH = 2;
const EINVAL = 22;
const ENOENT = 2;

function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`);
}

/**
 * Mounts an overlay at `target`: `lower` top layer first (overlayfs' order), writes going to
 * `upper` (with `work` beside it), or read-only when there is no upper directory.
 */
export function mountOverlay(target: string, lower: readonly string[], upper?: { upper: string; work: string }): void {
  const options = [`lowerdir=${lower.join(":")}`, ...(upper ? [`upperdir=${upper.upper}`, `workdir=${upper.work}`] : [])].join(",");
  check("mount overlay", libc().mount(cString("overlay"), cString(target), cString("overlay"), 0n, cString(options)));
}

/** Unmounts `target` (lazily, as a busy mount would otherwise refuse); not mounted is not an error. */
export function unmount(target: string): void {
  if (libc().umount2(cString(target), MNT_DETACH) === 0) return;
  const code = errno();
  if (code === EINVAL || code === ENOENT) return;
  throw new SyscallError("umount2", code);
}
