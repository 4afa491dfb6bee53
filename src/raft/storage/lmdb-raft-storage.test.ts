import { afterEach, expect, test } from "bun:test";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShoalError } from "../../lib/index.ts";
import type { StorageCipher } from "../raft-storage.ts";
import { LmdbRaftStorage } from "./lmdb-raft-storage.ts";
import { describeRaftStorage, entry, snapshot } from "./raft-storage.case.ts";

describeRaftStorage("LmdbRaftStorage", async () => {
  const dir = mkdtempSync(join(tmpdir(), "shoal-raft-"));
  return {
    open: () => LmdbRaftStorage.open(join(dir, "raft")),
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const dirs: string[] = [];
const opened: LmdbRaftStorage[] = [];
afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openFresh(cipher?: StorageCipher): Promise<LmdbRaftStorage> {
  const dir = mkdtempSync(join(tmpdir(), "shoal-raft-"));
  dirs.push(dir);
  const storage = await LmdbRaftStorage.open(join(dir, "raft"), cipher ? { cipher } : {});
  opened.push(storage);
  return storage;
}

/** AES-256-GCM with a random nonce per value, as the raft data-encryption key would be used. */
function aesCipher(key: Uint8Array): StorageCipher {
  return {
    seal(plain) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, nonce);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return new Uint8Array(Buffer.concat([nonce, cipher.getAuthTag(), body]));
    },
    open(sealed) {
      const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]));
    },
  };
}

const SECRET = "top-secret-service-spec";

test("64 concurrent persists of one entry each take far fewer than 64 LMDB commits", async () => {
  const storage = await openFresh();
  await storage.load();
  await Promise.all(Array.from({ length: 64 }, (_, i) => storage.persist({ entries: [entry(i + 1, 1)] })));
  expect(storage.commitCount).toBeGreaterThanOrEqual(1);
  expect(storage.commitCount).toBeLessThanOrEqual(2);
  expect((await storage.load()).entries).toHaveLength(64);
});

test("with a cipher, entries and snapshots round-trip and the plaintext never reaches the disk", async () => {
  const cipher = aesCipher(randomBytes(32));
  const sealed = await openFresh(cipher);
  const plain = await openFresh();
  for (const storage of [sealed, plain]) {
    await storage.persist({ snapshot: snapshot(3, 1, new TextEncoder().encode(`${SECRET} in a snapshot`)), hardState: { term: 1, vote: null, commit: 3 } });
    await storage.persist({ entries: [entry(4, 1, "normal", `${SECRET} in an entry`)] });
  }
  const state = await sealed.load();
  expect(new TextDecoder().decode(state.snapshot!.data)).toBe(`${SECRET} in a snapshot`);
  expect(state.entries).toEqual([entry(4, 1, "normal", `${SECRET} in an entry`)]);
  const onDisk = (storage: LmdbRaftStorage) => readFileSync(join(storage.path, "data.mdb")).includes(SECRET);
  expect(onDisk(plain)).toBe(true); // the check can see plaintext when it is there
  expect(onDisk(sealed)).toBe(false);

  await sealed.close();
  const wrongKey = await LmdbRaftStorage.open(sealed.path, { cipher: aesCipher(randomBytes(32)) });
  opened.push(wrongKey);
  const refused = (await wrongKey.load().catch((e: unknown) => e)) as ShoalError;
  expect(refused.code).toBe("failed_precondition");
  expect(refused.message).toContain("right key");
  await wrongKey.close();
  const noKey = await LmdbRaftStorage.open(sealed.path);
  opened.push(noKey);
  expect(((await noKey.load().catch((e: unknown) => e)) as ShoalError).message).toContain("encrypted and no key was given");
});

test("an environment that cannot be opened is reported as a ShoalError naming the path", async () => {
  const dir = mkdtempSync(join(tmpdir(), "shoal-raft-"));
  dirs.push(dir);
  const path = join(dir, "raft");
  writeFileSync(path, "not a directory");
  const error = await LmdbRaftStorage.open(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ShoalError);
  expect((error as ShoalError).message).toContain(path);
});

test("a second storage over a directory already open in this process is refused until the first closes", async () => {
  const storage = await openFresh();
  const error = await LmdbRaftStorage.open(storage.path).catch((e: unknown) => e);
  expect((error as ShoalError).code).toBe("failed_precondition");
  expect((error as ShoalError).message).toContain("already open");
  await storage.close();
  const again = await LmdbRaftStorage.open(storage.path);
  opened.push(again);
  expect((await again.load()).entries).toEqual([]);
});
