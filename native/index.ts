/** native: the thin bun:ffi layer over libc (locks, sockets; later netlink, setns, mount, nftables). */
export { ERRNO, SyscallError, errno, strerror } from "./libc.ts";
export { tryLockFile } from "./file-lock.ts";
export type { FileLock } from "./file-lock.ts";
export { bindUnixDatagram, sendUnixDatagram, sockaddrUn } from "./unix-datagram.ts";
export type { UnixDatagramReceiver } from "./unix-datagram.ts";
export { sdNotify } from "./sd-notify.ts";
export { getXattr, makeFifo, makeWhiteout, setXattr } from "./special-files.ts";
export { mountOverlay, unmount } from "./mounts.ts";
