/** native: the thin bun:ffi layer over libc (locks, sockets; later netlink, setns, mount, nftables). */
export { ERRNO, SyscallError, errno, strerror } from "./libc.ts";
export { tryLockFile } from "./file-lock.ts";
export type { FileLock } from "./file-lock.ts";
export { bindUnixDatagram, sendUnixDatagram, sockaddrUn } from "./unix-datagram.ts";
export type { UnixDatagramReceiver } from "./unix-datagram.ts";
export { sdNotify } from "./sd-notify.ts";
export { getXattr, makeFifo, makeWhiteout, setXattr } from "./special-files.ts";
export { mountFilesystem, mountOverlay, unmount } from "./mounts.ts";
export { NETNS_RUN_DIR, createNetns, deleteNetns, inNetns, netnsExists, netnsPath } from "./netlink-netns.ts";
export { RouteNetlink, withNetlink } from "./netlink.ts";
export type { Ipv4Route, LinkAddress, LinkInfo } from "./netlink.ts";
export { NetlinkError } from "./netlink-socket.ts";
export { applyNftables, listNftables, nftCommand } from "./nftables.ts";
export { SeqpacketSocket } from "./seqpacket.ts";
export type { SeqpacketReceive } from "./seqpacket.ts";
