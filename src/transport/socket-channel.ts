import type { Socket } from "node:net";
import type { ByteChannel } from "./byte-channel.ts";

/** A ByteChannel over a connected (TLS) socket. */
export function socketChannel(socket: Socket): ByteChannel {
  let lastError: Error | undefined;
  socket.setNoDelay(true);
  socket.on("error", (error) => (lastError = error));
  return {
    write: (data) => socket.write(data),
    onData: (listener) => void socket.on("data", listener),
    onDrain: (listener) => void socket.on("drain", listener),
    onClose: (listener) => void socket.once("close", () => listener(lastError)),
    end: () => void socket.end(),
    destroy: (error) => void socket.destroy(error),
  };
}
