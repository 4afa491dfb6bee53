/** store: the replicated cluster store — typed tables, transactions that are raft proposals, watches, snapshots. See README.md. */
export { ClusterStore, MAX_PROPOSAL_BYTES } from "./cluster-store.ts";
export type { ChangeEvent, ClusterStoreOptions, CommitEvent, Propose, StoreApplyResult, StoreEvent, StoreEventKind, StoreWatchOptions } from "./cluster-store.ts";
export type { NewObject, ReadTx, Selector, TableName, TableObject, WriteTx } from "./store-tx.ts";
export { DEFAULT_WATCH_QUEUE_LIMIT } from "./store-watch.ts";
export type { StoreWatch } from "./store-watch.ts";
export { dataKeyCipher } from "./store-cipher.ts";
export type { StoreCipher } from "./store-cipher.ts";
export { defineTable, labelKeys, oneKey } from "./table.ts";
export type { IndexKeys, IndexOf, ObjectOf, TableDefinition, TableDefinitions } from "./table.ts";
export { SWARM_TABLES } from "./tables/swarm-tables.ts";
export type { SwarmTables } from "./tables/swarm-tables.ts";
export { NAME_CONFLICT, alreadyExists } from "./tables/name-conflict.ts";
export { SEQUENCE_CONFLICT } from "./store-errors.ts";
export type { StoreAction } from "./changeset.ts";
