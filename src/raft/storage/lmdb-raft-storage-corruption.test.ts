import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "lmdb";
import { ShoalError } from "../../lib/index.ts";
import { CHUNKS_DB, ENTRIES_DB, HARD_STATE_KEY, STATE_DB } from "./lmdb-layout.ts";
import { LmdbRaftStorage } from "./lmdb-raft-storage.ts";
import { encodeHardState } from "./meta-records.ts";
import { entries, snapshot } from "./raft-storage.case.ts";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A closed store holding a snapshot at 2 and entries 3…6. */
async function storedLog(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "shoal-raft-"));
  dirs.push(dir);
  const path = join(dir, "raft");
  const storage = await LmdbRaftStorage.open(path);
  await storage.persist({ entries: entries(1, 6, 1), hardState: { term: 1, vote: "m1", commit: 4 } });
  await storage.persist({ snapshot: snapshot(2, 1, new Uint8Array(5000).fill(7)) });
  await storage.close();
  return path;
}

/** Changes the environment behind the storage's back, with lmdb itself. */
async function tamper(path: string, change: (dbs: ReturnType<typeof databases>) => void): Promise<void> {
  const dbs = databases(path);
  await dbs.root.transaction(() => change(dbs));
  await dbs.root.close();
}

function databases(path: string) {
  const root = open<Uint8Array, string>({ path, compression: false, encoding: "binary" });
  return {
    root,
    entries: root.openDB<Uint8Array, number>({ name: ENTRIES_DB, encoding: "binary" }),
    state: root.openDB<Uint8Array, string>({ name: STATE_DB, encoding: "binary" }),
    chunks: root.openDB<Uint8Array, number>({ name: CHUNKS_DB, encoding: "binary" }),
  };
}

async function refusal(path: string): Promise<ShoalError> {
  const storage = await LmdbRaftStorage.open(path);
  try {
    const error = await storage.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShoalError);
    const persistError = await storage.persist({ hardState: { term: 9, vote: null, commit: 4 } }).catch((e: unknown) => e);
    expect((persistError as ShoalError).message).toBe((error as ShoalError).message); // no write on a store it cannot read
    return error as ShoalError;
  } finally {
    await storage.close();
  }
}

function expectCorrupt(error: ShoalError, path: string, what: string): void {
  expect(error.code).toBe("failed_precondition");
  expect(error.message).toStartWith(`raft state in ${path} is corrupt: `);
  expect(error.message).toContain(what);
  expect(error.message).toEndWith("; refusing to start — restore the data root from a backup, or remove this manager and join it again");
}

test("a flipped byte in a stored entry makes load refuse the store as corrupt", async () => {
  const path = await storedLog();
  await tamper(path, ({ entries }) => {
    const bytes = Buffer.from(entries.getBinary(4)!);
    bytes[bytes.length - 2]! ^= 0x10;
    entries.putSync(4, bytes);
  });
  expectCorrupt(await refusal(path), path, "entry 4: checksum mismatch");
});

test("a gap in the log is refused", async () => {
  const path = await storedLog();
  await tamper(path, ({ entries }) => entries.removeSync(5));
  expectCorrupt(await refusal(path), path, "entry 6 follows entry 4: the log has a gap");
});

test("a log that does not start right after the snapshot is refused", async () => {
  const path = await storedLog();
  await tamper(path, ({ entries }) => entries.removeSync(3));
  expectCorrupt(await refusal(path), path, "entry 4 follows entry 2: the log has a gap");
});

test("a flipped byte in a snapshot chunk is refused", async () => {
  const path = await storedLog();
  await tamper(path, ({ chunks }) => {
    const bytes = Buffer.from(chunks.getBinary(0)!);
    bytes[100]! ^= 0x01;
    chunks.putSync(0, bytes);
  });
  expectCorrupt(await refusal(path), path, "snapshot chunk 0: checksum mismatch");
});

test("a well-formed hard state that contradicts the log is refused", async () => {
  const path = await storedLog();
  await tamper(path, ({ state }) => state.putSync(HARD_STATE_KEY, encodeHardState({ term: 1, vote: "m1", commit: 9 })));
  expectCorrupt(await refusal(path), path, "the commit index 9 is beyond the last entry 6");
});

test("an entry stored under the wrong index is refused", async () => {
  const path = await storedLog();
  await tamper(path, ({ entries }) => entries.putSync(7, entries.getBinary(6)!));
  expectCorrupt(await refusal(path), path, "the entry stored under index 7 says it is entry 6");
});
