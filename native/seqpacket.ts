import { closeSync, openSync } from "node:fs";
import { ERRNO, SyscallError, check, errno, libc } from "./libc.ts";
import { sockaddrUn } from "./unix-datagram.ts";

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const SHUT_WR = 1;
const SUN_PATH_MAX = 108;
/** Large enough for any packet conmon sends (8 KiB of output and its pipe byte). */
const RECEIVE_BUFFER = 64 * 1024;

/** What a non-blocking receive found: a packet, nothing yet, or the peer's end. */
export type SeqpacketReceive = Uint8Array | "again" | "eof";

/**
 * A connected, non-blocking unix SOCK_SEQPACKET socket (conmon's attach socket): every call
 * returns at once, so the caller polls it from a timer without blocking the event loop.
 */
export class SeqpacketSocket {
  #fd: number;
  readonly #buffer = Buffer.alloc(RECEIVE_BUFFER);

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * Connects to the socket at `path`. A path longer than `sun_path` is reached through its
   * directory's `/proc/self/fd` entry (as conmon binds it).
   */
  static connect(path: string): SeqpacketSocket {
    const fd = check("socket", libc().socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    let dirFd = -1;
    try {
      let address = path;
      if (Buffer.byteLength(path) + 1 > SUN_PATH_MAX) {
        const slash = path.lastIndexOf("/");
        dirFd = openSync(path.slice(0, slash) || "/", "r");
        address = `/proc/self/fd/${dirFd}/${path.slice(slash + 1)}`;
      }
      const { addr, length } = sockaddrUn(address);
      // A unix connect completes at once; EAGAIN only means the listen backlog is full.
      for (let attempt = 0; ; attempt++) {
        if (libc().connect(fd, addr, length) === 0) break;
        const code = errno();
        if ((code === ERRNO.EAGAIN || code === ERRNO.EINTR) && attempt < 100) {
          Bun.sleepSync(1);
          continue;
        }
        throw new SyscallError("connect", code);
      }
      return new SeqpacketSocket(fd);
    } catch (error) {
      libc().close(fd);
      throw error;
    } finally {
      if (dirFd >= 0) closeSync(dirFd);
    }
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The next packet, "again" when none is queued, "eof" once the peer has closed. */
  tryReceive(): SeqpacketReceive {
    if (this.#fd < 0) return "eof";
    const received = Number(libc().recv(this.#fd, this.#buffer, this.#buffer.length, MSG_DONTWAIT));
    if (received > 0) return new Uint8Array(this.#buffer.subarray(0, received));
    if (received === 0) return "eof";
    const code = errno();
    if (code === ERRNO.EAGAIN || code === ERRNO.EINTR) return "again";
    if (code === ERRNO.ECONNRESET) return "eof";
    throw new SyscallError("recv", code);
  }

  /** Sends `data` as one packet; false when the socket's buffer is full (try again later). */
  trySend(data: Uint8Array): boolean {
    if (this.#fd < 0) throw new SyscallError("send", ERRNO.EPIPE);
    const sent = Number(libc().sendto(this.#fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL, null, 0));
    if (sent >= 0) return true;
    const code = errno();
    if (code === ERRNO.EAGAIN || code === ERRNO.EINTR) return false;
    throw new SyscallError("send", code);
  }

  /** Ends our sending side; the peer reads end-of-file, and we may still receive. */
  shutdownWrite(): void {
    if (this.#fd >= 0) libc().shutdown(this.#fd, SHUT_WR);
  }

  close(): void {
    if (this.#fd >= 0) libc().close(this.#fd);
    this.#fd = -1;
  }
}
