/**
 * A NETLINK_ROUTE socket: sends one request, waits for its acknowledgement or collects its dump.
 * The socket belongs to the network namespace of the thread that opened it, for its whole life.
 */
import { ShoalError, type ErrorCode } from "../src/lib/index.ts";
import { ERRNO, check, errno, libc, strerror } from "./libc.ts";
import { NLMSG_HEADER_LENGTH, attributeString, netlinkMessage, parseAttributes, splitMessages, type ReceivedMessage } from "./netlink-message.ts";

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLMSGERR_ATTR_MSG = 1;
const RECEIVE_TIMEOUT_SECONDS = 5;

/** Request flags of `struct nlmsghdr`. */
export const NLM_F = { REQUEST: 0x1, ACK: 0x4, REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, DUMP: 0x300 } as const;

const ERRNO_CODES: Record<number, ErrorCode> = {
  1: "permission_denied", // EPERM
  2: "not_found", // ENOENT
  3: "not_found", // ESRCH
  13: "permission_denied", // EACCES
  17: "already_exists", // EEXIST
  19: "not_found", // ENODEV
  22: "invalid_argument", // EINVAL
  34: "invalid_argument", // ERANGE
  99: "invalid_argument", // EADDRNOTAVAIL
};

/** A netlink request the kernel refused: the operation, the errno and the kernel's extended text. */
export class NetlinkError extends ShoalError {
  readonly errno: number;
  readonly operation: string;

  constructor(operation: string, code: number, kernelText?: string) {
    const detail = kernelText ? ` (${kernelText})` : "";
    super(ERRNO_CODES[code] ?? "internal", `${operation}: ${strerror(code)} (errno ${code})${detail}`);
    this.errno = code;
    this.operation = operation;
  }
}

function setIntOption(fd: number, level: number, name: number, value: number): void {
  const option = Buffer.alloc(4);
  option.writeInt32LE(value, 0);
  check("setsockopt", libc().setsockopt(fd, level, name, option, 4));
}

/** An open rtnetlink socket; requests are synchronous. */
export class NetlinkSocket {
  readonly #fd: number;
  readonly #buffer = Buffer.alloc(65536);
  #sequence = Math.floor(Math.random() * 0x7fffffff);
  #open = true;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Opens a socket in the calling thread's current network namespace. */
  static open(): NetlinkSocket {
    const fd = check("socket(AF_NETLINK)", libc().socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    try {
      const address = Buffer.alloc(12);
      address.writeUInt16LE(AF_NETLINK, 0);
      check("bind(AF_NETLINK)", libc().bind(fd, address, address.length));
      const timeout = Buffer.alloc(16);
      timeout.writeBigInt64LE(BigInt(RECEIVE_TIMEOUT_SECONDS), 0);
      check("setsockopt(SO_RCVTIMEO)", libc().setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, timeout.length));
      setIntOption(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
      setIntOption(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    } catch (error) {
      libc().close(fd);
      throw error;
    }
    return new NetlinkSocket(fd);
  }

  /** Sends a request that changes something and waits for the kernel's acknowledgement. */
  change(operation: string, type: number, flags: number, body: readonly Uint8Array[]): void {
    this.#exchange(operation, type, NLM_F.REQUEST | NLM_F.ACK | flags, body);
  }

  /** Sends a get request (with `NLM_F.DUMP` for all objects) and returns the reply messages. */
  query(operation: string, type: number, flags: number, body: readonly Uint8Array[]): ReceivedMessage[] {
    return this.#exchange(operation, type, NLM_F.REQUEST | flags, body);
  }

  /** Closes the socket; safe to call twice. */
  close(): void {
    if (this.#open) libc().close(this.#fd);
    this.#open = false;
  }

  #exchange(operation: string, type: number, flags: number, body: readonly Uint8Array[]): ReceivedMessage[] {
    if (!this.#open) throw new ShoalError("failed_precondition", `${operation}: the netlink socket is closed`);
    const sequence = (this.#sequence = (this.#sequence + 1) >>> 0);
    const request = netlinkMessage(type, flags, sequence, body);
    const sent = Number(libc().sendto(this.#fd, request, request.length, 0, null, 0));
    if (sent < 0) throw new NetlinkError(operation, errno());
    const dump = (flags & NLM_F.DUMP) === NLM_F.DUMP;
    const replies: ReceivedMessage[] = [];
    for (;;) {
      for (const message of this.#receive(operation)) {
        if (message.sequence !== sequence) continue; // a late answer to an earlier request
        if (message.type === NLMSG_DONE) return replies;
        if (message.type === NLMSG_ERROR) {
          const code = -message.payload.readInt32LE(0);
          if (code === 0) return replies;
          const attributes = parseAttributes(message.payload, 4 + NLMSG_HEADER_LENGTH);
          throw new NetlinkError(operation, code, attributeString(attributes.get(NLMSGERR_ATTR_MSG)));
        }
        replies.push(message);
        if (!dump && (flags & NLM_F.ACK) === 0) return replies;
      }
    }
  }

  #receive(operation: string): ReceivedMessage[] {
    for (;;) {
      const received = Number(libc().recv(this.#fd, this.#buffer, this.#buffer.length, 0));
      if (received >= 0) return splitMessages(Buffer.from(this.#buffer.subarray(0, received)));
      const code = errno();
      if (code === ERRNO.EINTR) continue;
      if (code === ERRNO.EAGAIN) throw new ShoalError("unavailable", `${operation}: the kernel did not answer within ${RECEIVE_TIMEOUT_SECONDS}s`);
      throw new NetlinkError(operation, code);
    }
  }
}
