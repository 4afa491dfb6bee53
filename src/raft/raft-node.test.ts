import { afterEach, expect, test } from "bun:test";
import { ShoalError } from "../lib/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { encodeConfigChange } from "./config-change.ts";
import type { RaftWireMessage } from "./raft-message.ts";
import { RaftNode } from "./raft-node.ts";
import { MemoryRaftStorage } from "./storage/index.ts";

const nodes: RaftNode[] = [];
afterEach(() => nodes.splice(0).forEach((node) => node.stop()));

/** Three driver nodes on a fake clock, wired by an in-memory network that can cut a member off. */
async function group() {
  const clock = new FakeClock(0);
  const cut = new Set<string>();
  const byId = new Map<string, RaftNode>();
  const send = (message: RaftWireMessage) => {
    if (cut.has(message.from) || cut.has(message.to)) return;
    clock.setTimeout(() => byId.get(message.to)?.step(message), 1);
  };
  const ids = ["a", "b", "c"];
  for (const id of ids) {
    const storage = new MemoryRaftStorage();
    await storage.persist({ entries: [{ index: 1, term: 1, kind: "config", data: encodeConfigChange({ type: "reset", voters: ids }) }], hardState: { term: 1, vote: null, commit: 1 } });
    const node = await RaftNode.start({
      id,
      storage,
      clock,
      tickMs: 10,
      transport: { send },
      stateMachine: { apply: (entry) => `applied ${entry.index}`, snapshot: () => new Uint8Array(), restore() {} },
      config: { random: () => 0.5 },
    });
    byId.set(id, node);
    nodes.push(node);
  }
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t++) {
      clock.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  byId.get("a")!.campaign();
  await run(50);
  return { clock, cut, byId, run };
}

test("a proposal on the leader resolves with the state machine's result once applied", async () => {
  const { byId, run } = await group();
  const leader = byId.get("a")!;
  expect(leader.status().role).toBe("leader");
  const result = leader.propose(new Uint8Array([1]));
  await run(20);
  expect(await result).toMatch(/^applied \d+$/);
});

test("a follower refuses at once, naming the leader", async () => {
  const { byId } = await group();
  const error = (await byId.get("b")!.propose(new Uint8Array([1])).catch((failure: ShoalError) => failure)) as ShoalError;
  expect(error).toBeInstanceOf(ShoalError);
  expect(error.message).toBe("not the raft leader (the leader is a)");
});

test("a leader cut off fails its pending proposal as lost leadership, never silently", async () => {
  const { byId, cut, run } = await group();
  cut.add("a");
  const pending = byId.get("a")!.propose(new Uint8Array([1])).catch((failure: ShoalError) => failure);
  await run(400);
  const error = (await pending) as ShoalError;
  expect(error.code).toBe("unavailable");
  expect(error.message).toContain("leadership was lost");
});

test("a proposal that cannot commit in time fails with deadline_exceeded", async () => {
  const { byId, cut, run } = await group();
  cut.add("b");
  cut.add("c");
  const pending = byId.get("a")!.propose(new Uint8Array([1]), { timeoutMs: 50 }).catch((failure: ShoalError) => failure);
  await run(60);
  const error = (await pending) as ShoalError;
  expect(error.code).toBe("deadline_exceeded");
});

test("a read barrier on a follower waits for the leader's confirmation", async () => {
  const { byId, run } = await group();
  const written = byId.get("a")!.propose(new Uint8Array([1]));
  await run(20);
  const index = Number(String(await written).replace("applied ", ""));
  // The barrier resolves only once b has applied everything the leader had committed.
  const read = byId.get("b")!.readBarrier({ timeoutMs: 500 });
  await run(20);
  await read;
  expect(byId.get("b")!.status().applied).toBeGreaterThanOrEqual(index);
});
