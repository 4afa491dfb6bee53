import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashEntryData } from "./lmdb-crash-writer.fixture.ts";
import { LmdbRaftStorage } from "./lmdb-raft-storage.ts";

const WRITER = join(import.meta.dir, "lmdb-crash-writer.fixture.ts");
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs the writer until it acknowledged `acks` more indices, SIGKILLs it, and returns every index it acknowledged. */
async function runAndKill(path: string, acks: number): Promise<number[]> {
  const child = Bun.spawn([process.execPath, WRITER, path, "8"], { stdout: "pipe", stderr: "pipe" });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the writer exited early: ${await new Response(child.stderr).text()}`);
    text += decoder.decode(value, { stream: true });
    if (text.split("\n").length - 1 >= acks) break;
  }
  child.kill("SIGKILL");
  await child.exited;
  for (;;) {
    const { value, done } = await reader.read(); // what it wrote before dying still counts as acknowledged
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text.split("\n").slice(0, -1).map(Number);
}

test("every index acknowledged before a SIGKILL is there after reopening", async () => {
  const dir = mkdtempSync(join(tmpdir(), "shoal-raft-crash-"));
  dirs.push(dir);
  const path = join(dir, "raft");
  let acknowledged: number[] = [];
  for (let round = 0; round < 3; round++) {
    acknowledged = acknowledged.concat(await runAndKill(path, 50 + Math.floor(Math.random() * 400)));
    const storage = await LmdbRaftStorage.open(path);
    const state = await storage.load(); // also proves the store is consistent after the kill
    await storage.close();
    const base = state.snapshot?.meta.index ?? 0;
    const stored = new Map(state.entries.map((entry) => [entry.index, entry]));
    const lost = acknowledged.filter((index) => index > base && !stored.has(index));
    expect(lost).toEqual([]);
    for (const index of acknowledged.filter((i) => i > base)) expect(stored.get(index)!.data).toEqual(crashEntryData(index));
    expect(state.hardState.commit).toBeGreaterThanOrEqual(Math.max(...acknowledged) - 1);
  }
  expect(acknowledged.length).toBeGreaterThan(150);
}, 60_000);
