import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ShoalError } from "../lib/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { memoryChannelPair, type MemoryChannel } from "./byte-channel.ts";
import { FrameType, encodeFrame } from "./frame.ts";
import { MuxSession } from "./mux-session.ts";
import type { MuxStream } from "./mux-stream.ts";
import type { MuxLimits } from "./mux-limits.ts";

async function readAll(stream: MuxStream): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function pair(options: { limits?: Partial<MuxLimits>; clock?: FakeClock; onStream?: (stream: MuxStream) => void } = {}) {
  const [clientEnd, serverEnd] = memoryChannelPair();
  const client = new MuxSession(clientEnd, { side: "client", limits: options.limits, clock: options.clock });
  const server = new MuxSession(serverEnd, { side: "server", limits: options.limits, clock: options.clock, onStream: options.onStream ?? echo });
  return { client, server, clientEnd, serverEnd };
}

/** Server behaviour: read the whole request, send it back, end. */
function echo(stream: MuxStream): void {
  void (async () => {
    const body = await readAll(stream);
    await stream.write(body);
    stream.end();
  })().catch(() => {});
}

describe("streams", () => {
  test("carry bytes both ways and end cleanly", async () => {
    const { client, server } = pair();
    const stream = await client.openStream(Buffer.from("echo"));
    await stream.write(Buffer.from("hello "));
    await stream.write(Buffer.from("world"));
    stream.end();
    expect((await readAll(stream)).toString()).toBe("hello world");
    await Bun.sleep(1);
    expect(client.streamCount).toBe(0);
    expect(server.streamCount).toBe(0);
  });

  test("the opener's header reaches the peer", async () => {
    let header = "";
    const { client } = pair({ onStream: (stream) => ((header = Buffer.from(stream.header).toString()), stream.end()) });
    const stream = await client.openStream(Buffer.from("Dispatcher.Session"));
    stream.end();
    expect(await stream.read()).toBeNull();
    expect(header).toBe("Dispatcher.Session");
  });

  test("a hundred concurrent streams each get their own bytes back", async () => {
    const { client } = pair();
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, index) => {
        const stream = await client.openStream(Buffer.from("echo"));
        const body = Buffer.alloc(1000 + index * 37, index);
        void stream.write(body).then(() => stream.end());
        return (await readAll(stream)).equals(body);
      }),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  test("a reset reaches the other side as the same error, and aborts its signal", async () => {
    let serverStream: MuxStream | undefined;
    const { client } = pair({ onStream: (stream) => void (serverStream = stream) });
    const stream = await client.openStream(Buffer.from("x"));
    await Bun.sleep(1);
    serverStream!.reset(new ShoalError("permission_denied", "workers may not do that"));
    await expect(stream.read()).rejects.toThrow("workers may not do that");
    expect(stream.signal.aborted).toBe(true);
    expect(stream.error?.code).toBe("permission_denied");
    await expect(stream.write(Buffer.from("more"))).rejects.toThrow("workers may not do that");
  });
});

describe("flow control", () => {
  test("a reader that does not read stops the writer once the windows are full; memory stays bounded", async () => {
    let serverStream: MuxStream | undefined;
    const { client, server } = pair({ onStream: (stream) => void (serverStream = stream) });
    const stream = await client.openStream(Buffer.from("slow"));
    const total = 16 * 1024 * 1024;
    let written = 0;
    const writer = (async () => {
      const chunk = Buffer.alloc(256 * 1024, 7);
      while (written < total) {
        await stream.write(chunk);
        written += chunk.length;
      }
      stream.end();
    })();
    for (let i = 0; i < 50; i++) await Bun.sleep(1);
    expect(written).toBeLessThan(total);
    expect(server.bufferedBytes).toBeLessThanOrEqual(server.limits.streamWindow);
    expect(written).toBeLessThanOrEqual(server.limits.streamWindow + 256 * 1024);
    // Once the reader reads, everything arrives.
    const received = await readAll(serverStream!);
    await writer;
    expect(received.length).toBe(total);
    serverStream!.end();
    expect(await stream.read()).toBeNull();
    await Bun.sleep(1);
    expect(client.streamCount + server.streamCount).toBe(0);
  });

  test("a small call is not stuck behind a large stream (fair interleaving)", async () => {
    const { client } = pair();
    const big = await client.openStream(Buffer.from("big"));
    const bigBody = Buffer.alloc(64 * 1024 * 1024, 1);
    let bigDone = false;
    const bigTransfer = (async () => {
      await big.write(bigBody);
      big.end();
      const echoed = await readAll(big);
      bigDone = true;
      return echoed.length;
    })();
    let smallDoneWhileBigRunning = 0;
    await Promise.all(
      Array.from({ length: 1000 }, async (_, index) => {
        const stream = await client.openStream(Buffer.from("small"));
        await stream.write(Buffer.alloc(200, index));
        stream.end();
        expect((await readAll(stream)).length).toBe(200);
        if (!bigDone) smallDoneWhileBigRunning++;
      }),
    );
    expect(smallDoneWhileBigRunning).toBe(1000);
    expect(await bigTransfer).toBe(bigBody.length);
  }, 60_000);
});

describe("keepalive", () => {
  test("a peer that goes silent is detected within the configured timeout", async () => {
    const clock = new FakeClock();
    const limits = { keepaliveIntervalMs: 1000, keepaliveTimeoutMs: 3000 };
    const { client, serverEnd } = pair({ clock, limits });
    await Bun.sleep(1);
    (serverEnd as MemoryChannel).blackhole();
    let closedWith: ShoalError | null | undefined;
    void client.closed.then((error) => (closedWith = error));
    for (let elapsed = 0; elapsed < 2900; elapsed += 100) {
      clock.advance(100);
      await Bun.sleep(0);
    }
    expect(closedWith).toBeUndefined();
    for (let elapsed = 0; elapsed < 600; elapsed += 100) {
      clock.advance(100);
      await Bun.sleep(0);
    }
    expect(closedWith?.message).toContain("did not answer keepalive pings");
  });

  test("an idle but healthy peer answers pings and stays connected", async () => {
    const clock = new FakeClock();
    const { client } = pair({ clock, limits: { keepaliveIntervalMs: 1000, keepaliveTimeoutMs: 3000 } });
    for (let elapsed = 0; elapsed < 20_000; elapsed += 250) {
      clock.advance(250);
      await Bun.sleep(0);
    }
    expect(client.isOpen).toBe(true);
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
  });
});

describe("goaway", () => {
  test("open streams finish, new ones are refused, then the connection ends", async () => {
    let serverStream: MuxStream | undefined;
    const { client, server } = pair({ onStream: (stream) => void (serverStream = stream) });
    const stream = await client.openStream(Buffer.from("long"));
    await Bun.sleep(1);
    server.goaway();
    await Bun.sleep(1);
    await expect(client.openStream(Buffer.from("new"))).rejects.toThrow();
    await serverStream!.write(Buffer.from("still here"));
    serverStream!.end();
    stream.end();
    expect((await readAll(stream)).toString()).toBe("still here");
    expect(await server.closed).toBeNull();
    expect(await client.closed).toBeNull();
  });
});

describe("hostile peers", () => {
  function rawPeer(limits?: Partial<MuxLimits>) {
    const [rawEnd, sessionEnd] = memoryChannelPair();
    const opened: MuxStream[] = [];
    const session = new MuxSession(sessionEnd, { side: "server", limits, onStream: (stream) => void opened.push(stream) });
    return { raw: rawEnd, session, opened };
  }

  test("a flood of opens past the stream limit is refused without holding the streams", async () => {
    const { raw, session, opened } = rawPeer({ maxStreams: 100 });
    const resets: number[] = [];
    raw.onData((data) => {
      if (data[0] === FrameType.RESET) resets.push(1);
    });
    for (let id = 1; id < 2 * 5000; id += 2) raw.write(encodeFrame(FrameType.OPEN, 0, id, Buffer.from("m")));
    await Bun.sleep(5);
    expect(opened.length).toBe(100);
    expect(session.streamCount).toBe(100);
    expect(session.isOpen).toBe(true);
  });

  test("data beyond the granted window closes the connection", async () => {
    const { raw, session } = rawPeer();
    raw.write(encodeFrame(FrameType.OPEN, 0, 1, Buffer.from("m")));
    const chunk = Buffer.alloc(60 * 1024);
    for (let i = 0; i < 30; i++) raw.write(encodeFrame(FrameType.DATA, 0, 1, chunk));
    expect((await session.closed)?.message).toContain("overran");
  });

  test("frames for streams never opened, oversize frames and garbage close the connection", async () => {
    for (const bytes of [
      encodeFrame(FrameType.DATA, 0, 7, Buffer.from("x")),
      encodeFrame(FrameType.DATA, 0, 1, Buffer.alloc(2 * 1024 * 1024)),
      Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      encodeFrame(FrameType.OPEN, 0, 2, Buffer.from("server ids are not the client's")),
    ]) {
      const { raw, session } = rawPeer();
      raw.write(bytes);
      expect((await session.closed)?.message).toContain("protocol error");
    }
  });

  test("random frame sequences never crash the session and keep its memory bounded", async () => {
    const frameArbitrary = fc.record({
      type: fc.constantFrom(...Object.values(FrameType)),
      flags: fc.integer({ min: 0, max: 3 }),
      streamId: fc.integer({ min: 0, max: 40 }),
      payload: fc.uint8Array({ maxLength: 64 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(frameArbitrary, { maxLength: 60 }), async (frames) => {
        const { raw, session } = rawPeer();
        for (const frame of frames) raw.write(encodeFrame(frame.type, frame.flags, frame.streamId, frame.payload));
        await Bun.sleep(0);
        await Bun.sleep(0);
        expect(session.bufferedBytes).toBeLessThanOrEqual(session.limits.connectionWindow + session.limits.maxFrameSize);
        session.close();
      }),
      { numRuns: 200 },
    );
  });
});
