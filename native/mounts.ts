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

/** Mounts a filesystem (`tmpfs` for a volume, say) at `target` with the given data options. */
export function mountFilesystem(device: string, target: string, type: string, data: string): void {
  check(`mount ${type}`, libc().mount(cString(device), cString(target), cString(type), 0n, cString(data)));
}

/** Unmounts `target` (lazily, as a busy mount would otherwise refuse); not mounted is not an error. */
export function unmount(target: string): void {
  if (libc().umount2(cString(target), MNT_DETACH) === 0) return;
  const code = errno();
  if (code === EINVAL || code === ENOENT) return;
  throw new SyscallError("umount2", code);
}
