import { toShoalError } from "../../lib/index.ts";
import type { SwarmTables, WriteTx } from "../../store/index.ts";

/** A store write: `ClusterStore.update`, or a wrapper around it (the restart supervisor's). */
export type StoreUpdate = (fn: (tx: WriteTx<SwarmTables>) => void) => Promise<void>;

/** Items written per transaction at first: one raft proposal each, well under its size limit for usual tasks. */
export const WRITE_BATCH_SIZE = 500;

/**
 * Writes `items` through `update`, many per transaction (one raft proposal each). `apply` re-reads
 * what it changes inside the transaction and decides again, so a batch applied twice, or after other
 * writes, does no harm. A batch too large for one proposal is split; any other failure is thrown
 * after the batches before it applied.
 */
export async function writeInBatches<T>(update: StoreUpdate, items: readonly T[], apply: (tx: WriteTx<SwarmTables>, item: T) => void, batchSize = WRITE_BATCH_SIZE): Promise<void> {
  let size = Math.max(1, batchSize);
  for (let start = 0; start < items.length; ) {
    const batch = items.slice(start, start + size);
    try {
      await update((tx) => {
        for (const item of batch) apply(tx, item);
      });
      start += batch.length;
    } catch (error) {
      if (toShoalError(error).code === "resource_exhausted" && size > 1) {
        size = Math.ceil(size / 2);
        continue;
      }
      throw error;
    }
  }
}
