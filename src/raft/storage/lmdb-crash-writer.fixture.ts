/**
 * Child process of the crash test: appends entries to the LmdbRaftStorage at argv[2] with
 * argv[3] persists in flight, and prints each index on its own line once its persist resolved
 * (durable). It never stops; the test SIGKILLs it.
 */
import { writeSync } from "node:fs";
import { LmdbRaftStorage } from "./lmdb-raft-storage.ts";

/** The data a crash-test entry carries, so the test can check it byte for byte. */
export function crashEntryData(index: number): Uint8Array {
  return new TextEncoder().encode(`entry ${index} `.repeat(20));
}

if (import.meta.main) {
  const [path, inFlightArg] = process.argv.slice(2);
  const storage = await LmdbRaftStorage.open(path!);
  const state = await storage.load();
  let next = (state.entries.at(-1)?.index ?? state.snapshot?.meta.index ?? 0) + 1;
  const write = async (index: number): Promise<void> => {
    const snapshot =
      index % 97 === 0 && index > 20
        ? { meta: { index: index - 20, term: 1, membership: { voters: ["m1"], learners: [] } }, data: new Uint8Array(300_000).fill(index & 0xff) }
        : undefined;
    await storage.persist({
      ...(snapshot ? { snapshot } : {}),
      entries: [{ index, term: 1, kind: "normal", data: crashEntryData(index) }],
      hardState: { term: 1, vote: "m1", commit: index - 1 },
    });
    writeSync(1, `${index}\n`);
  };
  const inFlight = Number(inFlightArg ?? "8");
  const lanes = Array.from({ length: inFlight }, async () => {
    for (;;) await write(next++);
  });
  await Promise.all(lanes);
}
