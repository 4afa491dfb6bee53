import { expect, test } from "bun:test";
import fc from "fast-check";
import type { SnapshotMessage } from "./raft-message.ts";
import { SnapshotAssembler, splitSnapshot } from "./snapshot-chunks.ts";

function snapshotMessage(size: number, index = 10, term = 2): SnapshotMessage {
  const data = Uint8Array.from({ length: size }, (_, i) => (i * 7 + index) % 251);
  return { type: "snapshot", from: "a", to: "b", term, snapshot: { meta: { index, term, membership: { voters: ["a", "b"], learners: [] } }, data } };
}

test("a snapshot reassembles from its chunks in any order, with duplicates", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 700 }), fc.integer(), (size, chunkBytes, seed) => {
      const message = snapshotMessage(size);
      const chunks = splitSnapshot(message, chunkBytes);
      expect(chunks.length).toBe(Math.max(1, Math.ceil(size / chunkBytes)));
      const shuffled = [...chunks, ...chunks.slice(0, 2)].sort((a, b) => ((a.offset * 31 + seed) % 97) - ((b.offset * 31 + seed) % 97));
      const assembler = new SnapshotAssembler();
      const results = shuffled.map((chunk) => assembler.add(chunk)).filter((result) => result !== null);
      expect(results.length).toBeGreaterThanOrEqual(1);
      expect(Array.from(results[0]!.snapshot.data)).toEqual(Array.from(message.snapshot.data));
      expect(results[0]!.snapshot.meta).toEqual(message.snapshot.meta);
    }),
  );
});

test("a lost chunk leaves the snapshot incomplete; a newer snapshot replaces it; stragglers of the old one are ignored", () => {
  const assembler = new SnapshotAssembler();
  const old = splitSnapshot(snapshotMessage(1000, 10), 100);
  for (const chunk of old.slice(1)) expect(assembler.add(chunk)).toBeNull();
  expect(assembler.bufferedBytes).toBe(1000);
  const newer = splitSnapshot(snapshotMessage(500, 20), 100);
  for (const chunk of newer.slice(0, -1)) expect(assembler.add(chunk)).toBeNull();
  expect(assembler.add(old[0]!)).toBeNull();
  const whole = assembler.add(newer.at(-1)!);
  expect(whole?.snapshot.meta.index).toBe(20);
  expect(assembler.bufferedBytes).toBe(0);
});

test("chunks claiming impossible sizes are dropped", () => {
  const assembler = new SnapshotAssembler(1000);
  const [chunk] = splitSnapshot(snapshotMessage(2000), 100);
  expect(assembler.add(chunk!)).toBeNull();
  expect(assembler.add({ ...chunk!, total: 50, offset: 40 })).toBeNull();
  expect(assembler.bufferedBytes).toBe(0);
});
