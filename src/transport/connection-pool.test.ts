import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ShoalError } from "../lib/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { memoryChannelPair } from "./byte-channel.ts";
import { ConnectionPool, backoffDelay, DEFAULT_BACKOFF } from "./connection-pool.ts";
import type { DialOptions, DialedSession } from "./dial.ts";
import { FailoverClient } from "./failover-client.ts";
import { MuxSession } from "./mux-session.ts";
import { ANY_NODE } from "./peer-identity.ts";
import { unaryMethod } from "./rpc-method.ts";
import { RpcServer } from "./rpc-server.ts";

const WhoAmI = unaryMethod<null, string>("Test.WhoAmI", ANY_NODE);
const NotFound = unaryMethod<null, string>("Test.NotFound", ANY_NODE);

/** Fake managers reachable through an in-memory dialer; `down` ones refuse connections. */
function managers(names: string[]) {
  const down = new Set<string>();
  const servers = new Map<string, MuxSession[]>();
  const dials: string[] = [];
  const dialer = async (address: string, _options: DialOptions): Promise<DialedSession> => {
    dials.push(address);
    if (down.has(address)) throw new ShoalError("unavailable", `cannot connect to ${address}: connection refused`);
    const [clientEnd, serverEnd] = memoryChannelPair();
    const rpc = new RpcServer()
      .unary(WhoAmI, () => address)
      .unary(NotFound, () => {
        throw new ShoalError("not_found", "no such node");
      });
    const serverSession = new MuxSession(serverEnd, { side: "server", onStream: (stream) => rpc.handleStream(stream, { nodeId: "w", role: "worker", clusterId: "c" }) });
    servers.set(address, [...(servers.get(address) ?? []), serverSession]);
    return { session: new MuxSession(clientEnd, { side: "client" }), server: null };
  };
  return { names, down, servers, dials, dialer };
}

function poolFor(fleet: ReturnType<typeof managers>, clock: FakeClock) {
  return new ConnectionPool({ credentials: () => ({ ca: null }), clock, dialer: fleet.dialer, random: () => 1 });
}

describe("backoff", () => {
  test("grows exponentially from 100 ms to the 8 s cap, jittered within the upper half", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (failures, random) => {
        const ceiling = Math.min(8000, 100 * 2 ** (failures - 1));
        const delay = backoffDelay(DEFAULT_BACKOFF, failures, () => random);
        expect(delay).toBeGreaterThanOrEqual(Math.round(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});

describe("connection pool", () => {
  test("reports a connection that the peer ended, naming its address", async () => {
    const fleet = managers(["m1"]);
    const lost: string[] = [];
    const pool = new ConnectionPool({ credentials: () => ({ ca: null }), clock: new FakeClock(), dialer: fleet.dialer, onDisconnect: (address) => lost.push(address) });
    const session = await pool.session("m1");
    expect(lost).toEqual([]);
    fleet.servers.get("m1")![0]!.close();
    await session.closed;
    await Promise.resolve();
    expect(lost).toEqual(["m1"]);
    pool.close();
  });

  test("shares one connection per address and replaces it when it closes", async () => {
    const fleet = managers(["m1"]);
    const pool = poolFor(fleet, new FakeClock());
    const [a, b] = await Promise.all([pool.session("m1"), pool.session("m1")]);
    expect(a).toBe(b);
    expect(fleet.dials).toEqual(["m1"]);
    a.close();
    const c = await pool.session("m1");
    expect(c).not.toBe(a);
    expect(fleet.dials).toEqual(["m1", "m1"]);
  });

  test("an unreachable address is not dialled again until its backoff has passed", async () => {
    const clock = new FakeClock();
    const fleet = managers(["m1"]);
    fleet.down.add("m1");
    const pool = poolFor(fleet, clock);
    await expect(pool.session("m1")).rejects.toThrow("connection refused");
    await expect(pool.session("m1")).rejects.toThrow("next attempt in 100 ms");
    expect(fleet.dials.length).toBe(1);
    clock.advance(100);
    await expect(pool.session("m1")).rejects.toThrow("connection refused");
    await expect(pool.session("m1")).rejects.toThrow("next attempt in 200 ms");
    fleet.down.delete("m1");
    clock.advance(200);
    expect((await pool.session("m1")).isOpen).toBe(true);
    expect(pool.retryAt("m1")).toBe(0);
  });
});

describe("failover between managers", () => {
  test("moves to the next manager when one is unreachable, then sticks to it", async () => {
    const clock = new FakeClock();
    const fleet = managers(["m1", "m2", "m3"]);
    fleet.down.add("m1");
    const client = new FailoverClient(poolFor(fleet, clock), () => fleet.names, clock);
    expect(await client.call(WhoAmI, null)).toBe("m2");
    expect(await client.call(WhoAmI, null)).toBe("m2");
    expect(client.current).toBe("m2");
  });

  test("a manager going away sends the next call elsewhere", async () => {
    const clock = new FakeClock();
    const fleet = managers(["m1", "m2"]);
    const client = new FailoverClient(poolFor(fleet, clock), () => fleet.names, clock);
    expect(await client.call(WhoAmI, null)).toBe("m1");
    fleet.down.add("m1");
    fleet.servers.get("m1")![0]!.goaway();
    await Bun.sleep(1);
    expect(await client.call(WhoAmI, null)).toBe("m2");
  });

  test("an answer that is an error is not retried elsewhere", async () => {
    const fleet = managers(["m1", "m2"]);
    const client = new FailoverClient(poolFor(fleet, new FakeClock()), () => fleet.names);
    const error = await client.call(NotFound, null).catch((failure) => failure);
    expect(error.message).toBe("no such node");
    expect(fleet.dials).toEqual(["m1"]);
  });

  test("when every manager is down it waits out the backoff and succeeds once one returns", async () => {
    const clock = new FakeClock();
    const fleet = managers(["m1", "m2"]);
    fleet.down.add("m1").add("m2");
    const client = new FailoverClient(poolFor(fleet, clock), () => fleet.names, clock);
    const call = client.call(WhoAmI, null, { maxRounds: 10 });
    await Bun.sleep(1);
    fleet.down.delete("m2");
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      await Bun.sleep(0);
    }
    expect(await call).toBe("m2");
  });

  test("gives up with the last error after its rounds", async () => {
    const clock = new FakeClock();
    const fleet = managers(["m1"]);
    fleet.down.add("m1");
    const client = new FailoverClient(poolFor(fleet, clock), () => fleet.names, clock);
    const call = client.call(WhoAmI, null, { maxRounds: 3 }).catch((error) => error);
    for (let i = 0; i < 50; i++) {
      clock.advance(100);
      await Bun.sleep(0);
    }
    const error = await call;
    expect(error.code).toBe("unavailable");
    expect(fleet.dials.length).toBe(3);
  });
});
