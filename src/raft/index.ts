/** raft: the managers' consensus as a library: a pure protocol core, a driver, and storage in LMDB. */
export { RaftCore } from "./raft-core.ts";
export { DEFAULT_RAFT_CONFIG } from "./raft-config.ts";
export type { RaftConfig, RaftRole, RaftStart, ReadState, Ready } from "./raft-config.ts";
export { RaftNode } from "./raft-node.ts";
export type { RaftNodeOptions, RaftStatus, RaftTransport, StateMachine } from "./raft-node.ts";
export { applyConfigChange, decodeConfigChange, encodeConfigChange, quorum } from "./config-change.ts";
export type { ConfigChange } from "./config-change.ts";
export type { RaftMessage, RaftMessageType, RaftWireMessage, SnapshotChunkMessage } from "./raft-message.ts";
export { DEFAULT_SNAPSHOT_CHUNK_BYTES, SnapshotAssembler, splitSnapshot } from "./snapshot-chunks.ts";
export type { PersistBatch, PersistedState, RaftStorage, StorageCipher } from "./raft-storage.ts";
export { EMPTY_HARD_STATE } from "./raft-types.ts";
export type { EntryKind, HardState, LogEntry, MemberId, Membership, Snapshot, SnapshotMeta } from "./raft-types.ts";
export { LmdbRaftStorage, MemoryRaftStorage } from "./storage/index.ts";
export type { LmdbRaftStorageOptions, MemoryRaftStorageOptions } from "./storage/index.ts";
