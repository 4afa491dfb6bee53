/** raft/storage: where a raft member keeps its log, hard state and snapshot — in memory (tests, simulator) or in LMDB. */
export { MemoryRaftStorage } from "./memory-raft-storage.ts";
export type { MemoryRaftStorageOptions } from "./memory-raft-storage.ts";
export { LmdbRaftStorage } from "./lmdb-raft-storage.ts";
export type { LmdbRaftStorageOptions } from "./lmdb-raft-storage.ts";
