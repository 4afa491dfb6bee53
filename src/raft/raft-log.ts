import { ShoalError } from "../lib/index.ts";
import type { LogEntry, Snapshot } from "./raft-types.ts";

/**
 * A member's log in memory: entries after `offset` (everything at or below it is covered by a
 * snapshot or compacted away), which ones are durable (`stableIndex`), committed and applied.
 */
export class RaftLog {
  /** Index of the last entry dropped (the snapshot's, or a compaction point). */
  #offset: number;
  /** Term of the entry at `#offset`. */
  #offsetTerm: number;
  #entries: LogEntry[];
  /** The latest snapshot (local or received), if any. */
  snapshot: Snapshot | null;
  /** A received snapshot not yet persisted and applied. */
  pendingSnapshot: Snapshot | null = null;
  /** Highest index known durable on this member. */
  stableIndex: number;
  committed: number;
  applied: number;

  constructor(snapshot: Snapshot | null, entries: LogEntry[], committed: number) {
    this.snapshot = snapshot;
    this.#offset = snapshot?.meta.index ?? 0;
    this.#offsetTerm = snapshot?.meta.term ?? 0;
    this.#entries = entries;
    this.stableIndex = this.lastIndex;
    this.committed = committed;
    this.applied = this.#offset;
  }

  /** Index of the first entry held (entries below it need a snapshot). */
  get firstIndex(): number {
    return this.#offset + 1;
  }

  get lastIndex(): number {
    return this.#offset + this.#entries.length;
  }

  get lastTerm(): number {
    return this.termAt(this.lastIndex)!;
  }

  /** Term of the entry at `index`, or undefined when it is compacted away or beyond the end. */
  termAt(index: number): number | undefined {
    if (index === this.#offset) return this.#offsetTerm;
    if (index < this.#offset || index > this.lastIndex) return undefined;
    return this.#entries[index - this.#offset - 1]!.term;
  }

  /** Whether this log has an entry at `index` of `term`. */
  matchTerm(index: number, term: number): boolean {
    return this.termAt(index) === term;
  }

  /** Entries in [from, to], at most `maxBytes` of data (always at least one). */
  slice(from: number, to: number, maxBytes = Number.POSITIVE_INFINITY): LogEntry[] {
    if (from < this.firstIndex) throw new ShoalError("internal", `raft log: entry ${from} is compacted`);
    const result: LogEntry[] = [];
    let bytes = 0;
    for (let index = from; index <= Math.min(to, this.lastIndex); index++) {
      const entry = this.#entries[index - this.#offset - 1]!;
      bytes += entry.data.length;
      if (result.length > 0 && bytes > maxBytes) break;
      result.push(entry);
    }
    return result;
  }

  /** Entries not yet durable. */
  unstableEntries(): LogEntry[] {
    return this.stableIndex >= this.lastIndex ? [] : this.slice(Math.max(this.stableIndex + 1, this.firstIndex), this.lastIndex);
  }

  /** Committed entries not yet applied. */
  nextCommitted(): LogEntry[] {
    const from = Math.max(this.applied + 1, this.firstIndex);
    const to = Math.min(this.committed, this.stableIndex);
    return from > to ? [] : this.slice(from, to);
  }

  /** Appends entries, first dropping any conflicting suffix; never touches committed entries. */
  append(entries: LogEntry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    if (first <= this.committed) {
      throw new ShoalError("internal", `raft log: refusing to overwrite committed entry ${first} (commit ${this.committed})`);
    }
    if (first > this.lastIndex + 1) throw new ShoalError("internal", `raft log: gap before entry ${first} (last ${this.lastIndex})`);
    this.#entries.length = first - this.#offset - 1;
    this.#entries.push(...entries);
    if (this.stableIndex >= first) this.stableIndex = first - 1;
  }

  /**
   * Appends what a leader sent after `prevIndex`, skipping entries already held with the same
   * term. Returns the index of the last entry now matching the leader.
   */
  appendFromLeader(prevIndex: number, entries: LogEntry[]): number {
    let firstNew = entries.length;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.index < this.firstIndex) continue; // covered by our snapshot: committed, so identical
      if (!this.matchTerm(entry.index, entry.term)) {
        firstNew = i;
        break;
      }
    }
    if (firstNew < entries.length) this.append(entries.slice(firstNew));
    return prevIndex + entries.length;
  }

  /** Moves the commit index forward (never back). */
  commitTo(index: number): boolean {
    const target = Math.min(index, this.lastIndex);
    if (target <= this.committed) return false;
    this.committed = target;
    return true;
  }

  /** Replaces the whole log with a received snapshot. */
  restore(snapshot: Snapshot): void {
    this.#offset = snapshot.meta.index;
    this.#offsetTerm = snapshot.meta.term;
    this.#entries = [];
    this.snapshot = snapshot;
    this.pendingSnapshot = snapshot;
    this.committed = snapshot.meta.index;
    this.stableIndex = snapshot.meta.index;
  }

  /** Drops entries at or below `index` (they are covered by a snapshot taken at or after it). */
  compact(index: number): void {
    if (index <= this.#offset) return;
    if (index > this.applied) throw new ShoalError("internal", `raft log: cannot compact past applied ${this.applied}`);
    const term = this.termAt(index)!;
    this.#entries = this.#entries.slice(index - this.#offset);
    this.#offset = index;
    this.#offsetTerm = term;
  }

  /** Largest index ≤ `index` whose term is ≤ `term`: where a follower's log may still match ours. */
  findConflictByTerm(index: number, term: number): number {
    let candidate = Math.min(index, this.lastIndex);
    while (candidate > this.#offset && (this.termAt(candidate) ?? 0) > term) candidate--;
    return candidate;
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up to date as this one. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }
}
