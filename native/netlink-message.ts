/**
 * Netlink wire format: the 16-byte message header, type-length-value attributes (4-byte aligned,
 * nested ones carrying attributes as payload) and the IPv4/MAC encodings rtnetlink uses. Host byte
 * order (little-endian here) everywhere, as the kernel expects.
 */

/** Length of `struct nlmsghdr`. */
export const NLMSG_HEADER_LENGTH = 16;

/** Rounds `length` up to netlink's 4-byte alignment. */
export function align4(length: number): number {
  return (length + 3) & ~3;
}

/** One attribute: `{u16 len, u16 type}` + payload, padded to 4 bytes (len excludes the padding). */
export function attribute(type: number, payload: Uint8Array): Buffer {
  const length = 4 + payload.length;
  const out = Buffer.alloc(align4(length));
  out.writeUInt16LE(length, 0);
  out.writeUInt16LE(type, 2);
  out.set(payload, 4);
  return out;
}

/** An attribute holding one byte. */
export function u8Attribute(type: number, value: number): Buffer {
  return attribute(type, Uint8Array.of(value));
}

/** An attribute holding a host-order u32. */
export function u32Attribute(type: number, value: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32LE(value >>> 0, 0);
  return attribute(type, payload);
}

/** An attribute holding a NUL-terminated string. */
export function stringAttribute(type: number, value: string): Buffer {
  return attribute(type, Buffer.from(`${value}\0`));
}

/** An attribute whose payload is other attributes (or a struct followed by attributes). */
export function nestedAttribute(type: number, ...children: Uint8Array[]): Buffer {
  return attribute(type, Buffer.concat(children));
}

/** Dotted-quad IPv4 text as the 4 bytes on the wire (network order). */
export function ipv4Bytes(address: string): Buffer {
  const parts = address.split(".");
  const octets = parts.map(Number);
  if (parts.length !== 4 || octets.some((octet, i) => !/^\d{1,3}$/.test(parts[i]!) || octet > 255)) {
    throw new RangeError(`${JSON.stringify(address)} is not an IPv4 address`);
  }
  return Buffer.from(octets);
}

/** The 4 wire bytes of an IPv4 address as dotted-quad text. */
export function ipv4Text(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join(".");
}

/** `aa:bb:cc:dd:ee:ff` as 6 bytes. */
export function macBytes(mac: string): Buffer {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) throw new RangeError(`${JSON.stringify(mac)} is not a MAC address`);
  return Buffer.from(mac.split(":").map((octet) => Number.parseInt(octet, 16)));
}

/** 6 bytes as `aa:bb:cc:dd:ee:ff`. */
export function macText(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(":");
}

/** One netlink message: header (length, type, flags, sequence, port 0) + body parts. */
export function netlinkMessage(type: number, flags: number, sequence: number, body: readonly Uint8Array[]): Buffer {
  const payload = Buffer.concat(body);
  const out = Buffer.alloc(NLMSG_HEADER_LENGTH + align4(payload.length));
  out.writeUInt32LE(NLMSG_HEADER_LENGTH + payload.length, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.writeUInt32LE(sequence, 8);
  out.set(payload, NLMSG_HEADER_LENGTH);
  return out;
}

/** A received netlink message: its header fields and payload (after the 16-byte header). */
export interface ReceivedMessage {
  readonly type: number;
  readonly flags: number;
  readonly sequence: number;
  readonly payload: Buffer;
}

/** Splits one datagram from a netlink socket into its messages. */
export function splitMessages(datagram: Buffer): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  let offset = 0;
  while (offset + NLMSG_HEADER_LENGTH <= datagram.length) {
    const length = datagram.readUInt32LE(offset);
    if (length < NLMSG_HEADER_LENGTH || offset + length > datagram.length) break;
    messages.push({
      type: datagram.readUInt16LE(offset + 4),
      flags: datagram.readUInt16LE(offset + 6),
      sequence: datagram.readUInt32LE(offset + 8),
      payload: datagram.subarray(offset + NLMSG_HEADER_LENGTH, offset + length),
    });
    offset += align4(length);
  }
  return messages;
}

/** Reads the attributes in `data` from `offset` on; the last one of a type wins. */
export function parseAttributes(data: Buffer, offset = 0): Map<number, Buffer> {
  const found = new Map<number, Buffer>();
  while (offset + 4 <= data.length) {
    const length = data.readUInt16LE(offset);
    if (length < 4 || offset + length > data.length) break;
    const type = data.readUInt16LE(offset + 2) & 0x3fff; // drop NLA_F_NESTED / NLA_F_NET_BYTEORDER
    found.set(type, data.subarray(offset + 4, offset + length));
    offset += align4(length);
  }
  return found;
}

/** A NUL-terminated string attribute's text. */
export function attributeString(payload: Buffer | undefined): string | undefined {
  if (!payload) return undefined;
  const end = payload.indexOf(0);
  return payload.subarray(0, end < 0 ? payload.length : end).toString();
}
