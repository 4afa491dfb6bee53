import { CString, FFIType, dlopen, read, type Pointer } from "bun:ffi";
import { ShoalError } from "../src/lib/index.ts";

/** The libc functions shoal calls through bun:ffi; opened on first use. */
function openLibc() {
  const { i32, u32, u64, ptr, i64_fast } = FFIType;
  return dlopen("libc.so.6", {
    __errno_location: { args: [], returns: ptr },
    strerror: { args: [i32], returns: ptr },
    close: { args: [i32], returns: i32 },
    flock: { args: [i32, i32], returns: i32 },
    socket: { args: [i32, i32, i32], returns: i32 },
    bind: { args: [i32, ptr, u32], returns: i32 },
    connect: { args: [i32, ptr, u32], returns: i32 },
    shutdown: { args: [i32, i32], returns: i32 },
    sendto: { args: [i32, ptr, u64, i32, ptr, u32], returns: i64_fast },
    recv: { args: [i32, ptr, u64, i32], returns: i64_fast },
    mknod: { args: [ptr, u32, u64], returns: i32 },
    mount: { args: [ptr, ptr, ptr, u64, ptr], returns: i32 },
    umount2: { args: [ptr, i32], returns: i32 },
    lsetxattr: { args: [ptr, ptr, ptr, u64, i32], returns: i32 },
    lgetxattr: { args: [ptr, ptr, ptr, u64], returns: i64_fast },
    setns: { args: [i32, i32], returns: i32 },
    unshare: { args: [i32], returns: i32 },
    setsockopt: { args: [i32, i32, i32, ptr, u32], returns: i32 },
  }).symbols;
}

let symbols: ReturnType<typeof openLibc> | undefined;

/** libc's symbols, opened once. */
export function libc(): ReturnType<typeof openLibc> {
  symbols ??= openLibc();
  return symbols;
}

/** The calling thread's errno; read it right after the failing call. */
export function errno(): number {
  return read.i32(libc().__errno_location() as Pointer, 0);
}

/** The C library's text for an errno value. */
export function strerror(code: number): string {
  const text = libc().strerror(code);
  return text ? new CString(text).toString() : `errno ${code}`;
}

/** Errno values native code reacts to by name. */
export const ERRNO = { EINTR: 4, EAGAIN: 11, EPIPE: 32, ECONNRESET: 104, EACCES: 13, ENOENT: 2, ECONNREFUSED: 111, EWOULDBLOCK: 11 } as const;

/** A failed system call, with the errno for callers that branch on it. */
export class SyscallError extends ShoalError {
  readonly errno: number;
  readonly syscall: string;

  constructor(syscall: string, code: number) {
    super("internal", `${syscall}: ${strerror(code)} (errno ${code})`);
    this.errno = code;
    this.syscall = syscall;
  }
}

/** Throws a {@link SyscallError} when a libc call returned a negative result. */
export function check(syscall: string, result: number): number {
  if (result < 0) throw new SyscallError(syscall, errno());
  return result;
}
