import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ShoalError } from "../lib/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { memoryChannelPair } from "./byte-channel.ts";
import { MuxSession } from "./mux-session.ts";
import { ANY_NODE, ANYONE, MANAGERS_ONLY, type PeerIdentity } from "./peer-identity.ts";
import { RpcClient } from "./rpc-client.ts";
import { encodeMessage } from "./rpc-codec.ts";
import { streamMethod, unaryMethod } from "./rpc-method.ts";
import { RpcServer } from "./rpc-server.ts";

const Echo = unaryMethod<{ text: string }, { text: string; caller: string | null }>("Test.Echo", ANY_NODE);
const Fail = unaryMethod<{ code: string }, never>("Test.Fail", ANY_NODE);
const ManagerOnly = unaryMethod<null, string>("Control.ListNodes", MANAGERS_ONLY);
const RootCA = unaryMethod<null, string>("CA.GetRootCACertificate", ANYONE);
const Hang = unaryMethod<null, null>("Test.Hang", ANY_NODE);
const Count = streamMethod<{ to: number }, number>("Test.Count", ANY_NODE);
const Forever = streamMethod<null, number>("Test.Forever", ANY_NODE);
const Missing = unaryMethod<null, null>("Test.Missing", ANY_NODE);

const worker: PeerIdentity = { nodeId: "w1", role: "worker", clusterId: "c1" };
const manager: PeerIdentity = { nodeId: "m1", role: "manager", clusterId: "c1" };

function setup(peer: PeerIdentity | null, clock?: FakeClock) {
  const aborts: string[] = [];
  const server = new RpcServer({ clock })
    .unary(Echo, (request, context) => ({ text: request.text, caller: context.peer?.nodeId ?? null }))
    .unary(Fail, (request) => {
      if (request.code === "plain") throw new Error("secret detail");
      throw new ShoalError(request.code as "not_found", `failed with ${request.code}`);
    })
    .unary(ManagerOnly, () => "nodes")
    .unary(RootCA, () => "-----BEGIN CERTIFICATE-----")
    .unary(Hang, (_request, context) => new Promise((_, reject) => context.signal.addEventListener("abort", () => (aborts.push(String(context.signal.reason)), reject(context.signal.reason)))))
    .stream(Count, async function* (request) {
      for (let i = 1; i <= request.to; i++) yield i;
    })
    .stream(Forever, async function* (_request, context) {
      for (let i = 0; !context.signal.aborted; i++) {
        yield i;
        await Bun.sleep(0);
      }
      aborts.push("stream stopped");
    });
  const [clientEnd, serverEnd] = memoryChannelPair();
  new MuxSession(serverEnd, { side: "server", clock, onStream: (stream) => server.handleStream(stream, peer) });
  const client = new RpcClient(new MuxSession(clientEnd, { side: "client", clock }), clock);
  return { client, aborts };
}

describe("unary calls", () => {
  test("carry a typed request and response, and the server knows the caller", async () => {
    const { client } = setup(worker);
    expect(await client.call(Echo, { text: "hi" })).toEqual({ text: "hi", caller: "w1" });
  });

  test("handler errors arrive with their code; unexpected ones as internal without details", async () => {
    const { client } = setup(worker);
    for (const code of ["not_found", "invalid_argument", "failed_precondition", "unavailable"] as const) {
      const error = await client.call(Fail, { code }).catch((e) => e);
      expect(error).toBeInstanceOf(ShoalError);
      expect(error.code).toBe(code);
      expect(error.message).toBe(`failed with ${code}`);
    }
    const hidden = await client.call(Fail, { code: "plain" }).catch((e) => e);
    expect(hidden.code).toBe("internal");
    expect(hidden.message).not.toContain("secret detail");
  });

  test("a call and its answer each leave in one channel write: OPEN, request and end together", async () => {
    const [clientEnd, serverEnd] = memoryChannelPair();
    const writes = { client: 0, server: 0 };
    for (const [end, side] of [[clientEnd, "client"], [serverEnd, "server"]] as const) {
      const write = end.write.bind(end);
      end.write = (data) => (writes[side]++, write(data));
    }
    const server = new RpcServer().unary(Echo, (request) => ({ text: request.text, caller: null }));
    new MuxSession(serverEnd, { side: "server", onStream: (stream) => server.handleStream(stream, worker) });
    const client = new RpcClient(new MuxSession(clientEnd, { side: "client" }));
    await client.call(Echo, { text: "settings go first" });
    writes.client = writes.server = 0;
    for (let i = 0; i < 5; i++) expect(await client.call(Echo, { text: `call ${i}` })).toEqual({ text: `call ${i}`, caller: null });
    expect(writes).toEqual({ client: 5, server: 5 });
  });

  test("an unknown method is unimplemented", async () => {
    const { client } = setup(manager);
    const error = await client.call(Missing, null).catch((e) => e);
    expect(error.code).toBe("unimplemented");
  });

  test("large messages cross many frames intact", async () => {
    const { client } = setup(worker);
    const text = "x".repeat(5 * 1024 * 1024);
    expect((await client.call(Echo, { text })).text.length).toBe(text.length);
  });
});

describe("authorization by role", () => {
  test("a worker certificate is denied a manager-only method; a manager is served", async () => {
    const asWorker = setup(worker).client;
    const denied = await asWorker.call(ManagerOnly, null).catch((e) => e);
    expect(denied.code).toBe("permission_denied");
    expect(denied.message).toBe("Control.ListNodes may not be called with a worker certificate (node w1)");
    expect(await setup(manager).client.call(ManagerOnly, null)).toBe("nodes");
  });

  test("a peer without a certificate may call only anonymous methods", async () => {
    const { client } = setup(null);
    expect(await client.call(RootCA, null)).toStartWith("-----BEGIN");
    expect((await client.call(Echo, { text: "x" }).catch((e) => e)).code).toBe("permission_denied");
  });
});

describe("deadlines and cancellation", () => {
  test("a call past its deadline fails with deadline_exceeded on both ends", async () => {
    const clock = new FakeClock();
    const { client, aborts } = setup(worker, clock);
    const call = client.call(Hang, null, { timeoutMs: 500 }).catch((e) => e);
    await Bun.sleep(1);
    clock.advance(499);
    await Bun.sleep(1);
    expect(aborts).toEqual([]);
    clock.advance(1);
    const error = await call;
    expect(error.code).toBe("deadline_exceeded");
    await Bun.sleep(1);
    expect(aborts.length).toBe(1);
  });

  test("cancelling a call aborts the handler's signal", async () => {
    const { client, aborts } = setup(worker);
    const controller = new AbortController();
    const call = client.call(Hang, null, { signal: controller.signal }).catch((e) => e);
    await Bun.sleep(1);
    controller.abort();
    expect((await call).code).toBe("cancelled");
    await Bun.sleep(1);
    expect(aborts[0]).toContain("cancelled by the caller");
  });
});

describe("server streams", () => {
  test("deliver every message in order, then end", async () => {
    const { client } = setup(worker);
    const received: number[] = [];
    for await (const value of client.stream(Count, { to: 1000 })) received.push(value);
    expect(received).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  test("breaking out of the loop cancels the server's handler", async () => {
    const { client, aborts } = setup(worker);
    for await (const value of client.stream(Forever, null)) if (value === 10) break;
    for (let i = 0; i < 20 && aborts.length === 0; i++) await Bun.sleep(1);
    expect(aborts).toEqual(["stream stopped"]);
  });
});

describe("hostile calls", () => {
  test("garbage headers and messages are refused per call, and the connection keeps serving", async () => {
    const { client } = setup(worker);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), async (header, body) => {
        const stream = await client.session.openStream(header);
        await stream.write(body).catch(() => {});
        stream.end();
        const outcome = await stream.read().then(
          () => "answered",
          (error: ShoalError) => error.code,
        );
        expect(["invalid_argument", "unimplemented", "permission_denied", "answered", "internal"]).toContain(outcome);
      }),
      { numRuns: 200 },
    );
    expect(await client.call(Echo, { text: "still fine" })).toEqual({ text: "still fine", caller: "w1" });
  });

  test("a message longer than the limit is refused before it is buffered", async () => {
    const { client } = setup(worker);
    const stream = await client.session.openStream(Buffer.from([0x82, 0xa1, 0x6d, 0xa9, ...Buffer.from("Test.Echo"), 0xa1, 0x74, 0x00]));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(64 * 1024 * 1024, 0);
    await stream.write(header);
    const error = await stream.read().catch((e) => e);
    expect(error.code).toBe("resource_exhausted");
    expect(encodeMessage("ok").length).toBeGreaterThan(4);
  });
});
