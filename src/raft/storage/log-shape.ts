import { ShoalError } from "../../lib/index.ts";
import type { PersistBatch, PersistedState } from "../raft-storage.ts";
import { EMPTY_HARD_STATE, type EntryKind, type HardState, type LogEntry, type Snapshot } from "../raft-types.ts";

const KINDS: ReadonlySet<EntryKind> = new Set<EntryKind>(["normal", "config", "noop"]);

/** The log as seen right after a snapshot is applied: what is left and the term of each index. */
interface LogView {
  base: number;
  last: number;
  termAt(index: number): number | undefined;
}

/**
 * The shape of a stored raft state (snapshot point, the term of every entry after it, the hard
 * state) without the data. Both storages keep one to refuse, before writing, a batch that would
 * leave a state `load()` must refuse; `load()` uses it to check what it read.
 *
 * A snapshot drops the entries at or below its index. Entries after it are kept when the stored
 * entry at its index has its term (the log continues the snapshot, as after a local snapshot);
 * otherwise (a received snapshot that replaces a diverged log) every entry is dropped.
 */
export class LogShape {
  #base = 0;
  #baseTerm = 0;
  #terms: number[] = [];
  #hardState: HardState = EMPTY_HARD_STATE;

  /** The shape of a state already checked with {@link LogShape.problemIn}. */
  static of(state: PersistedState): LogShape {
    const shape = new LogShape();
    shape.apply({ ...(state.snapshot ? { snapshot: state.snapshot } : {}), entries: state.entries, hardState: state.hardState });
    return shape;
  }

  /** What makes `state` inconsistent (as a phrase), or null when it is sound. */
  static problemIn(state: PersistedState): string | null {
    const batch: PersistBatch = { entries: state.entries, hardState: state.hardState };
    if (state.snapshot) batch.snapshot = state.snapshot;
    return new LogShape().problemWith(batch);
  }

  /** Index of the snapshot (0 when none). */
  get snapshotIndex(): number {
    return this.#base;
  }

  /** Index of the last entry, or of the snapshot when the log is empty. */
  get lastIndex(): number {
    return this.#base + this.#terms.length;
  }

  /** Term of the entry (or snapshot) at `index`; undefined when compacted or beyond the end. */
  termAt(index: number): number | undefined {
    if (index === this.#base) return this.#baseTerm;
    if (index < this.#base || index > this.lastIndex) return undefined;
    return this.#terms[index - this.#base - 1];
  }

  /** Whether a snapshot keeps the entries after its index. */
  keepsTail(snapshot: Snapshot): boolean {
    return this.termAt(snapshot.meta.index) === snapshot.meta.term;
  }

  /** What would be wrong after `batch` (as a phrase), or null when it may be written. */
  problemWith(batch: PersistBatch): string | null {
    let view: LogView = { base: this.#base, last: this.lastIndex, termAt: (index) => this.termAt(index) };
    if (batch.snapshot) {
      const problem = snapshotProblem(batch.snapshot, this.#base, this.#baseTerm);
      if (problem) return problem;
      view = this.#afterSnapshot(batch.snapshot);
      const next = view.termAt(view.base + 1);
      if (next !== undefined && next < batch.snapshot.meta.term) {
        return `entry ${view.base + 1} has term ${next}, below the term ${batch.snapshot.meta.term} of the snapshot before it`;
      }
    }
    let last = view.last;
    const entries = batch.entries ?? [];
    if (entries.length > 0) {
      const problem = entriesProblem(entries, view);
      if (problem) return problem;
      last = entries[entries.length - 1]!.index;
    }
    return hardStateProblem(batch.hardState ?? this.#hardState, view.base, last);
  }

  /** Throws ShoalError invalid_argument when `batch` may not be written. */
  check(batch: PersistBatch): void {
    const problem = this.problemWith(batch);
    if (problem) throw new ShoalError("invalid_argument", `cannot persist raft state: ${problem}`);
  }

  /** Throws ShoalError failed_precondition when the log may not be compacted up to `index`. */
  checkCompact(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new ShoalError("invalid_argument", `cannot compact the raft log: ${index} is not a log index`);
    }
    if (index > this.#base) {
      throw new ShoalError("failed_precondition", `cannot compact the raft log up to ${index}: no snapshot covers it (the snapshot is at ${this.#base})`);
    }
  }

  /** Records a batch already checked with {@link LogShape.check}. */
  apply(batch: PersistBatch): void {
    if (batch.snapshot) {
      const { index, term } = batch.snapshot.meta;
      this.#terms = this.keepsTail(batch.snapshot) ? this.#terms.slice(index - this.#base) : [];
      this.#base = index;
      this.#baseTerm = term;
    }
    const entries = batch.entries ?? [];
    if (entries.length > 0) {
      this.#terms.length = entries[0]!.index - this.#base - 1;
      for (const entry of entries) this.#terms.push(entry.term);
    }
    if (batch.hardState) this.#hardState = { ...batch.hardState };
  }

  #afterSnapshot(snapshot: Snapshot): LogView {
    const { index, term } = snapshot.meta;
    const last = this.keepsTail(snapshot) ? Math.max(this.lastIndex, index) : index;
    return {
      base: index,
      last,
      termAt: (at) => (at === index ? term : at > index && at <= last ? this.termAt(at) : undefined),
    };
  }
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function snapshotProblem(snapshot: Snapshot, base: number, baseTerm: number): string | null {
  const { meta, data } = snapshot;
  if (!isIndex(meta?.index) || !isIndex(meta.term)) return "the snapshot's index or term is not a non-negative integer";
  if (!(data instanceof Uint8Array)) return "the snapshot's data is not bytes";
  const members = [...(meta.membership?.voters ?? [null]), ...(meta.membership?.learners ?? [null])];
  if (members.some((id) => typeof id !== "string")) return "the snapshot's membership is not two lists of member IDs";
  if (meta.index < base) return `the snapshot at ${meta.index} is older than the stored one at ${base}`;
  if (meta.index === base && base > 0 && meta.term !== baseTerm) {
    return `the snapshot at ${meta.index} has term ${meta.term}, but the stored one at that index has term ${baseTerm}`;
  }
  return null;
}

function entriesProblem(entries: LogEntry[], view: LogView): string | null {
  for (const [i, entry] of entries.entries()) {
    if (!isIndex(entry.index) || !isIndex(entry.term)) return "an entry's index or term is not a non-negative integer";
    if (!KINDS.has(entry.kind)) return `entry ${entry.index} has an unknown kind ${JSON.stringify(entry.kind)}`;
    if (!(entry.data instanceof Uint8Array)) return `entry ${entry.index} has data that is not bytes`;
    const previous = entries[i - 1];
    if (previous && entry.index !== previous.index + 1) return `entry ${entry.index} follows entry ${previous.index}: the log has a gap`;
    if (previous && entry.term < previous.term) return `entry ${entry.index} has term ${entry.term}, below the term ${previous.term} of entry ${previous.index}`;
  }
  const first = entries[0]!;
  if (first.index <= view.base) return `entry ${first.index} is at or below the snapshot index ${view.base}`;
  if (first.index > view.last + 1) return `entry ${first.index} follows entry ${view.last}: the log has a gap`;
  const previousTerm = view.termAt(first.index - 1)!;
  if (first.term < previousTerm) {
    return `entry ${first.index} has term ${first.term}, below the term ${previousTerm} of ${first.index - 1 === view.base ? "the snapshot" : `entry ${first.index - 1}`}`;
  }
  return null;
}

function hardStateProblem(hardState: HardState, base: number, last: number): string | null {
  const { term, vote, commit } = hardState;
  if (!isIndex(term) || !isIndex(commit)) return "the hard state's term or commit is not a non-negative integer";
  if (vote !== null && (typeof vote !== "string" || vote === "")) return "the hard state's vote is neither null nor a member ID";
  if (vote !== null && term === 0) return `a vote for ${vote} without a term`;
  if (commit > last) return `the commit index ${commit} is beyond the last entry ${last}`;
  if (commit < base) return `the commit index ${commit} is below the snapshot index ${base}`;
  return null;
}
