import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { ShoalError, silentLogger } from "../../lib/index.ts";
import { ClusterStore, type ReadTx, type SwarmTables } from "../../store/index.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import { settle } from "./orchestrator-fixtures.ts";
import { StoreLoop, type Reconciler, type SwarmChange } from "./store-loop.ts";

/** A reconciler that records what it was told and whose ticks can be held or made to fail. */
class Recorder implements Reconciler {
  readonly tables = ["nodes"] as const;
  inits = 0;
  ticks = 0;
  seen: string[] = [];
  ticked: string[][] = [];
  failures = 0;
  hold: Promise<void> | null = null;

  init(tx: ReadTx<SwarmTables>): void {
    this.inits++;
    this.seen = tx.find("nodes").map((node) => node.Description!.Hostname);
  }

  handle(event: SwarmChange): void {
    if (event.table === "nodes") this.seen.push(event.object.Description!.Hostname);
  }

  async tick(): Promise<void> {
    this.ticks++;
    if (this.failures > 0) {
      this.failures--;
      throw new ShoalError("unavailable", "raft lost its leader");
    }
    if (this.hold) await this.hold;
    this.ticked.push([...this.seen]);
  }
}

const loops: StoreLoop[] = [];
afterEach(async () => {
  for (const loop of loops.splice(0)) await loop.stop();
});

function setup(queueLimit?: number) {
  const clock = new FakeClock();
  const store = new ClusterStore({ clock });
  const recorder = new Recorder();
  const loop = new StoreLoop({ store, reconciler: recorder, clock, logger: silentLogger, ...(queueLimit ? { queueLimit } : {}) });
  loops.push(loop);
  return { clock, store, recorder, loop };
}

const addNode = (store: ClusterStore, name: string) => store.update((tx) => tx.create("nodes", fixtures.node(name)));

test("reads the store, ticks, then ticks after every commit with what changed", async () => {
  const { store, recorder, loop } = setup();
  await addNode(store, "a");
  loop.start();
  await settle(store);
  await addNode(store, "b");
  await settle(store);
  expect(recorder.inits).toBe(1);
  expect(recorder.ticked).toEqual([["a"], ["a", "b"]]);
});

test("commits during a tick fold into one more tick, and none is lost", async () => {
  const { store, recorder, loop } = setup();
  loop.start();
  await settle(store);
  let release!: () => void;
  recorder.hold = new Promise((resolve) => (release = resolve));
  await addNode(store, "a");
  await settle(store);
  await addNode(store, "b");
  await addNode(store, "c");
  await settle(store);
  recorder.hold = null;
  release();
  await settle(store);
  expect(recorder.ticked.at(-1)).toEqual(["a", "b", "c"]);
  expect(recorder.ticks).toBe(3);
});

test("a failed tick is retried after a second even without a new commit", async () => {
  const { clock, store, recorder, loop } = setup();
  recorder.failures = 1;
  loop.start();
  await settle(store);
  expect(recorder.ticked).toEqual([]);
  clock.advance(1000);
  await settle(store);
  expect(recorder.ticked).toEqual([[]]);
});

test("a loop that fell behind the store reads it again", async () => {
  const { store, recorder, loop } = setup(2);
  loop.start();
  await settle(store);
  await store.update((tx) => {
    for (const name of ["a", "b", "c", "d"]) tx.create("nodes", fixtures.node(name));
  });
  await settle(store);
  expect(recorder.inits).toBe(2);
  expect(recorder.ticked.at(-1)!.sort()).toEqual(["a", "b", "c", "d"]);
});

test("stop ends the loop: no tick after it", async () => {
  const { store, recorder, loop } = setup();
  loop.start();
  await settle(store);
  await loop.stop();
  await addNode(store, "a");
  await settle(store);
  expect(recorder.ticks).toBe(1);
  expect(store.watchers).toBe(0);
});
