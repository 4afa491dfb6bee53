import { ERRNO, SyscallError, check, errno, libc } from "./libc.ts";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0x80000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const SUN_PATH_MAX = 108;

/**
 * Builds a `sockaddr_un` for `address`; a leading `@` names an abstract socket (as systemd writes
 * NOTIFY_SOCKET). Returns the struct and the length to pass with it.
 */
export function sockaddrUn(address: string): { addr: Buffer; length: number } {
  const abstract = address.startsWith("@");
  const name = Buffer.from(abstract ? address.slice(1) : address);
  if (name.length + 1 > SUN_PATH_MAX) throw new SyscallError("sockaddr_un", 36 /* ENAMETOOLONG */);
  const addr = Buffer.alloc(2 + SUN_PATH_MAX);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, abstract ? 3 : 2);
  return { addr, length: abstract ? 2 + 1 + name.length : 2 + name.length + 1 };
}

/** Sends one datagram to the unix socket at `address` (a path, or `@name` for an abstract one). */
export function sendUnixDatagram(address: string, message: string): void {
  const fd = check("socket", libc().socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  try {
    const { addr, length } = sockaddrUn(address);
    const payload = Buffer.from(message);
    check("sendto", Number(libc().sendto(fd, payload, payload.length, MSG_NOSIGNAL, addr, length)));
  } finally {
    libc().close(fd);
  }
}

/** A bound unix datagram socket that can be polled for messages (what systemd is to sd_notify). */
export interface UnixDatagramReceiver {
  /** The next waiting datagram, or null when none is queued. */
  tryReceive(): string | null;
  close(): void;
}

/** Binds a unix datagram socket at `address` for receiving. */
export function bindUnixDatagram(address: string): UnixDatagramReceiver {
  const fd = check("socket", libc().socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const { addr, length } = sockaddrUn(address);
  if (libc().bind(fd, addr, length) < 0) {
    const code = errno();
    libc().close(fd);
    throw new SyscallError("bind", code);
  }
  const buffer = Buffer.alloc(4096);
  let open = true;
  return {
    tryReceive() {
      if (!open) return null;
      const received = Number(libc().recv(fd, buffer, buffer.length, MSG_DONTWAIT));
      if (received < 0) {
        const code = errno();
        if (code === ERRNO.EAGAIN || code === ERRNO.EINTR) return null;
        throw new SyscallError("recv", code);
      }
      return buffer.subarray(0, received).toString();
    },
    close() {
      if (open) libc().close(fd);
      open = false;
    },
  };
}
