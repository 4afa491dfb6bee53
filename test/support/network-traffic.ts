/**
 * Real traffic for network tests, from inside network namespaces without spawning: servers and
 * clients are Bun sockets created while the JS thread is switched into a namespace (their
 * sockets stay there). Connect to IP literals only.
 */
import { inNetns } from "../../native/index.ts";

/** A TCP server in `netnsPath` that greets every client with `greeting` and remembers who came. */
export function tcpGreeter(netnsPath: string | null, port: number, greeting: string): { clients: string[]; stop(): void } {
  const clients: string[] = [];
  const server = inNetns(netnsPath, () =>
    Bun.listen({
      hostname: "0.0.0.0",
      port,
      socket: {
        open(socket) {
          clients.push(socket.remoteAddress);
          socket.end(greeting);
        },
        data() {},
      },
    }),
  );
  return { clients, stop: () => server.stop(true) };
}

/** Connects from `netnsPath` to `address:port` and resolves with all it read until close, or rejects (timeout, refused). */
export function tcpRead(netnsPath: string | null, address: string, port: number, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`timeout connecting to ${address}:${port}`)), timeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(text);
    };
    inNetns(netnsPath, () =>
      Bun.connect({
        hostname: address,
        port,
        socket: {
          data(_socket, data) {
            text += data.toString();
          },
          close() {
            done();
          },
          error(_socket, error) {
            done(error);
          },
          connectError(_socket, error) {
            done(error);
          },
        },
      }),
    ).catch((error: Error) => done(error));
  });
}

/** True when a TCP connection from `netnsPath` to `address:port` reads `expected`. */
export async function tcpReaches(netnsPath: string | null, address: string, port: number, expected: string, timeoutMs = 1000): Promise<boolean> {
  try {
    return (await tcpRead(netnsPath, address, port, timeoutMs)) === expected;
  } catch {
    return false;
  }
}

/** A UDP server in `netnsPath` that answers each datagram with `reply`. */
export async function udpResponder(netnsPath: string | null, port: number, reply: string): Promise<{ stop(): void }> {
  const socket = await inNetns(netnsPath, () =>
    Bun.udpSocket({
      hostname: "0.0.0.0",
      port,
      socket: {
        data(server, _data, fromPort, fromAddress) {
          server.send(reply, fromPort, fromAddress);
        },
      },
    }),
  );
  return { stop: () => socket.close() };
}

/** Sends one datagram from `netnsPath` to `address:port` and resolves with the first answer (null on timeout). */
export async function udpAsk(netnsPath: string | null, address: string, port: number, timeoutMs = 1000): Promise<string | null> {
  let answer: (text: string) => void = () => {};
  const answered = new Promise<string>((resolve) => (answer = resolve));
  const socket = await inNetns(netnsPath, () =>
    Bun.udpSocket({
      hostname: "0.0.0.0",
      socket: {
        data(_socket, data) {
          answer(data.toString());
        },
      },
    }),
  );
  try {
    inNetns(netnsPath, () => socket.send("question", port, address));
    return await Promise.race([answered, Bun.sleep(timeoutMs).then(() => null)]);
  } finally {
    socket.close();
  }
}
