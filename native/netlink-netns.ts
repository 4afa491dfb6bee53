/**
 * Named network namespaces, made the way `ip netns add` makes them (a bind mount of the namespace
 * on /run/netns/NAME, under a shared mount so other mount namespaces see it), and `inNetns`, which
 * runs synchronous work with the calling thread switched into a namespace.
 *
 * setns(CLONE_NEWNET) switches only the calling (JS) thread, and whatever that thread creates while
 * inside — sockets, child processes, files under /proc/sys/net — belongs to the namespace it was in.
 * So the work must be synchronous: no other JS may run until the thread is back.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync } from "node:fs";
import { ShoalError } from "../src/lib/index.ts";
import { SyscallError, check, errno, libc } from "./libc.ts";

const CLONE_NEWNET = 0x40000000;
const MS_BIND = 4096;
const MS_REC = 16384;
const MS_SHARED = 1 << 20;
const MNT_DETACH = 2;
const EINVAL = 22;
const ENOENT = 2;

/** Where named network namespaces live (iproute2's NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = "/run/netns";

function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`);
}

/** The path of the named network namespace `name` (whether or not it exists). */
export function netnsPath(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(name) || name === "." || name === "..") {
    throw new ShoalError("invalid_argument", `invalid network namespace name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-'`);
  }
  return `${NETNS_RUN_DIR}/${name}`;
}

/** True when the namespace file at `path` exists and is a mounted namespace. */
export function netnsExists(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const fd = openSync(path, "r");
    closeSync(fd);
    return isMountPoint(path);
  } catch {
    return false;
  }
}

function isMountPoint(path: string): boolean {
  return readFileSync("/proc/thread-self/mountinfo", "utf8")
    .split("\n")
    .some((line) => line.split(" ")[4] === path);
}

/** Makes /run/netns a shared mount (once), so namespace mounts propagate, as iproute2 does. */
function shareRunDirectory(): void {
  mkdirSync(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
  const none = cString("none");
  const dir = cString(NETNS_RUN_DIR);
  if (libc().mount(none, dir, none, BigInt(MS_SHARED | MS_REC), null) === 0) return;
  if (errno() !== EINVAL) throw new SyscallError(`mount --make-rshared ${NETNS_RUN_DIR}`, errno());
  check(`mount --bind ${NETNS_RUN_DIR}`, libc().mount(dir, dir, none, BigInt(MS_BIND | MS_REC), null));
  check(`mount --make-rshared ${NETNS_RUN_DIR}`, libc().mount(none, dir, none, BigInt(MS_SHARED | MS_REC), null));
}

/**
 * Creates the named network namespace `name` and returns its path (/run/netns/NAME). An existing
 * one is refused (already_exists). The calling thread stays in the namespace it was in.
 */
export function createNetns(name: string): string {
  const path = netnsPath(name);
  shareRunDirectory();
  try {
    closeSync(openSync(path, "wx", 0o444));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new ShoalError("already_exists", `network namespace ${name} already exists (${path}); remove it first or choose another name`);
    }
    throw new ShoalError("internal", `create ${path}: ${(error as Error).message}`, { cause: error });
  }
  const original = openSync("/proc/thread-self/ns/net", "r");
  try {
    check("unshare(CLONE_NEWNET)", libc().unshare(CLONE_NEWNET));
    const none = cString("none");
    const mounted = libc().mount(cString("/proc/thread-self/ns/net"), cString(path), none, BigInt(MS_BIND), null);
    const mountErrno = mounted < 0 ? errno() : 0;
    returnTo(original);
    if (mountErrno !== 0) throw new SyscallError(`mount --bind netns ${path}`, mountErrno);
  } catch (error) {
    returnTo(original);
    unlinkQuietly(path);
    throw error;
  } finally {
    closeSync(original);
  }
  return path;
}

/** Removes the network namespace mounted at `path` (a missing one is not an error). */
export function deleteNetns(path: string): void {
  if (libc().umount2(cString(path), MNT_DETACH) < 0) {
    const code = errno();
    if (code !== EINVAL && code !== ENOENT) throw new SyscallError(`umount ${path}`, code);
  }
  unlinkQuietly(path);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function returnTo(originalFd: number): void {
  if (libc().setns(originalFd, CLONE_NEWNET) < 0) {
    // The JS thread would go on in the wrong namespace; nothing sensible can follow.
    const message = `setns back to the original network namespace failed (errno ${errno()}); shoal must stop`;
    console.error(message);
    process.abort();
  }
}

/**
 * Runs `work` with the calling thread inside the network namespace at `path` (null: where it is
 * now) and switches back afterwards, also when `work` throws. Only what `work` does synchronously
 * happens inside: a socket it opens (Bun.listen, Bun.connect to an IP literal) stays in the
 * namespace, but anything after an `await` runs outside.
 */
export function inNetns<T>(path: string | null | undefined, work: () => T): T {
  if (!path) return work();
  let target: number;
  try {
    target = openSync(path, "r");
  } catch {
    throw new ShoalError("not_found", `network namespace ${path} does not exist`);
  }
  const original = openSync("/proc/thread-self/ns/net", "r");
  try {
    if (libc().setns(target, CLONE_NEWNET) < 0) throw new SyscallError(`setns ${path}`, errno());
    try {
      return work();
    } finally {
      returnTo(original);
    }
  } finally {
    closeSync(original);
    closeSync(target);
  }
}
