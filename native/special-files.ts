import { check, errno, libc, SyscallError } from "./libc.ts";

const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`);
}

/** Makes an overlayfs whiteout at `path`: a character device 0:0 (what hides a lower file). */
export function makeWhiteout(path: string): void {
  check("mknod", libc().mknod(cString(path), S_IFCHR | 0o000, 0n));
}

/** Makes a named pipe at `path` with permission bits `mode`. */
export function makeFifo(path: string, mode: number): void {
  check("mknod", libc().mknod(cString(path), S_IFIFO | (mode & 0o7777), 0n));
}

/** Sets an extended attribute on `path` itself (never following a symlink). */
export function setXattr(path: string, name: string, value: string): void {
  const data = Buffer.from(value);
  check("lsetxattr", libc().lsetxattr(cString(path), cString(name), data, data.length, 0));
}

/** Reads an extended attribute of `path`, or null when it has none of that name. */
export function getXattr(path: string, name: string): string | null {
  const buffer = Buffer.alloc(4096);
  const size = Number(libc().lgetxattr(cString(path), cString(name), buffer, buffer.length));
  if (size < 0) {
    const code = errno();
    if (code === 61 /* ENODATA */) return null;
    throw new SyscallError("lgetxattr", code);
  }
  return buffer.subarray(0, size).toString();
}
