import { applyConfigChange, decodeConfigChange } from "./config-change.ts";
import type { RaftLog } from "./raft-log.ts";
import type { Membership } from "./raft-types.ts";

/** The membership of a member that has not learned any yet. */
export const EMPTY_MEMBERSHIP: Membership = Object.freeze({ voters: [], learners: [] }) as unknown as Membership;

/**
 * The membership as of `index`: the snapshot's (when it covers `index`), changed by every config
 * entry after it up to `index`, committed or not (the latest wins, as in single-server changes).
 * Also returns the index of the config entry that set it (0 when it comes from the snapshot).
 */
export function membershipInLog(log: RaftLog, index: number): { membership: Membership; configIndex: number } {
  const snapshot = log.snapshot && log.snapshot.meta.index <= index ? log.snapshot : null;
  let membership = snapshot ? snapshot.meta.membership : EMPTY_MEMBERSHIP;
  let configIndex = 0;
  const from = Math.max(log.firstIndex, (snapshot?.meta.index ?? 0) + 1);
  const to = Math.min(index, log.lastIndex);
  for (const entry of from <= to ? log.slice(from, to) : []) {
    if (entry.kind !== "config") continue;
    try {
      membership = applyConfigChange(membership, decodeConfigChange(entry.data));
      configIndex = entry.index;
    } catch {
      // a change valid when proposed is re-applied to the same membership; anything else is noise
    }
  }
  return { membership, configIndex };
}
