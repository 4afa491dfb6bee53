import { ShoalError, silentLogger, sleep, type Clock, type Logger, type Timer } from "../lib/index.ts";
import type { ConfigChange } from "./config-change.ts";
import { DEFAULT_RAFT_CONFIG, type RaftConfig, type RaftRole, type RaftStart, type Ready } from "./raft-config.ts";
import { RaftCore } from "./raft-core.ts";
import type { RaftMessage, RaftWireMessage } from "./raft-message.ts";
import { DEFAULT_SNAPSHOT_CHUNK_BYTES, SnapshotAssembler, splitSnapshot } from "./snapshot-chunks.ts";
import type { RaftStorage } from "./raft-storage.ts";
import type { HardState, LogEntry, MemberId, Membership } from "./raft-types.ts";

/** Carries messages to other members (best effort: messages may be lost, raft retries). */
export interface RaftTransport {
  send(message: RaftWireMessage): void;
}

/** The replicated state machine: it applies committed commands and can snapshot and restore itself. */
export interface StateMachine {
  /** Applies one committed command; returns the result handed to the proposer. */
  apply(entry: LogEntry): unknown;
  /** The state as of the last applied entry. */
  snapshot(): Uint8Array;
  /** Replaces the state with a snapshot's. */
  restore(data: Uint8Array): void;
}

/** Options of {@link RaftNode.start}. */
export interface RaftNodeOptions {
  id: MemberId;
  storage: RaftStorage;
  transport: RaftTransport;
  clock: Clock;
  stateMachine: StateMachine;
  config?: Partial<Omit<RaftConfig, "id">>;
  /** Milliseconds per raft tick (default 100: heartbeats every 100 ms, elections after 1–2 s). */
  tickMs?: number;
  /** Entries applied between snapshots (default 10,000, as SwarmKit). */
  snapshotInterval?: number;
  /** Snapshots larger than this travel in chunks of this size (default 1 MiB). */
  snapshotChunkBytes?: number;
  start?: RaftStart;
  logger?: Logger;
}

/** What a member reports about itself. */
export interface RaftStatus {
  id: MemberId;
  role: RaftRole;
  term: number;
  leader: MemberId | null;
  commit: number;
  applied: number;
  membership: Membership;
}

interface Waiter {
  term: number;
  resolve(result: unknown): void;
  reject(error: ShoalError): void;
  timer: Timer | null;
}

/**
 * The bytes themselves, copied when they are a view into a larger buffer: the log keeps entries
 * (and the snapshot) for a long time, and a view would keep its whole backing buffer alive, such as
 * msgpackr's shared encoding buffer, which grows to the size of the largest value ever packed.
 */
function ownBytes(data: Uint8Array): Uint8Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

const lostLeadership = () => new ShoalError("unavailable", "raft leadership was lost before the proposal was applied; it may or may not take effect");

/**
 * A running raft member: feeds ticks and messages to the core, persists what it must (durably,
 * before anything that depends on it is sent), applies committed entries to the state machine,
 * takes snapshots, and settles every proposal: applied, or failed with a clear error.
 */
export class RaftNode {
  readonly id: MemberId;
  readonly #core: RaftCore;
  readonly #options: RaftNodeOptions;
  readonly #log: Logger;
  readonly #waiters = new Map<number, Waiter>();
  readonly #reads = new Map<string, { resolve(): void; reject(error: ShoalError): void }>();
  readonly #readsAwaitingApply: { index: number; resolve(): void }[] = [];
  #readSequence = 0;
  readonly #assembler = new SnapshotAssembler();
  #ticker: Timer;
  #processing = false;
  #scheduled = false;
  #stopped = false;
  #snapshotIndex: number;
  #role: RaftRole;
  /** The hard state last made durable. */
  #synced: HardState;
  /** A newer hard state that differs only in its commit index, not yet written. */
  #unsynced: HardState | null = null;
  #ticks = 0;
  /** Called after each change of role or leader. */
  onStateChange: ((status: RaftStatus) => void) | null = null;
  /** Called once if the member fails (storage refused a write, a bug); it has stopped by then. */
  onFatal: ((error: unknown) => void) | null = null;

  private constructor(options: RaftNodeOptions, core: RaftCore) {
    this.id = options.id;
    this.#options = options;
    this.#core = core;
    this.#log = (options.logger ?? silentLogger).with({ module: "raft", "raft.id": options.id });
    this.#snapshotIndex = core.log.snapshot?.meta.index ?? 0;
    this.#role = core.role;
    this.#synced = { term: core.term, vote: core.vote, commit: core.log.committed };
    this.#ticker = options.clock.setInterval(() => this.#tick(), options.tickMs ?? 100);
  }

  /** Loads the member's state from storage, restores the state machine, and starts ticking. */
  static async start(options: RaftNodeOptions): Promise<RaftNode> {
    const persisted = await options.storage.load();
    if (persisted.snapshot) options.stateMachine.restore(persisted.snapshot.data);
    const core = new RaftCore({ ...DEFAULT_RAFT_CONFIG, ...options.config, id: options.id }, persisted, options.start);
    const node = new RaftNode(options, core);
    if (options.start?.bootstrap || options.start?.forceNewCluster) core.campaign();
    node.#schedule();
    return node;
  }

  /** This member's view. */
  status(): RaftStatus {
    const core = this.#core;
    return { id: this.id, role: core.role, term: core.term, leader: core.lead, commit: core.log.committed, applied: core.log.applied, membership: core.membership };
  }

  /** Term of this member's log entry at `index` (undefined when compacted or absent): for diagnostics and invariant checks. */
  logTerm(index: number): number | undefined {
    return this.#core.log.termAt(index);
  }

  /** On the leader: how far each follower's log is known to match (empty on followers). */
  replication(): Record<MemberId, { match: number; next: number; state: string }> {
    const result: Record<MemberId, { match: number; next: number; state: string }> = {};
    for (const [member, progress] of this.#core.progress) result[member] = { match: progress.match, next: progress.next, state: progress.state };
    return result;
  }

  /** Index of the first entry still held in the log (earlier ones are in the snapshot). */
  get logFirstIndex(): number {
    return this.#core.log.firstIndex;
  }

  /** Index of the last entry in the log. */
  get logLastIndex(): number {
    return this.#core.log.lastIndex;
  }

  /** Proposes a command; resolves with the state machine's result once applied here (leader only). */
  propose(data: Uint8Array, options: { timeoutMs?: number } = {}): Promise<unknown> {
    const owned = ownBytes(data);
    return this.#submit(() => this.#core.propose(owned), options.timeoutMs);
  }

  /** Proposes a membership change; resolves once it is applied. */
  changeMembership(change: ConfigChange, options: { timeoutMs?: number } = {}): Promise<unknown> {
    return this.#submit(() => this.#core.proposeConfigChange(change), options.timeoutMs);
  }

  /** Resolves once this member has applied everything committed before the call (a linearizable read barrier). */
  readBarrier(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#stopped) return Promise.reject(new ShoalError("unavailable", "raft member is stopped"));
    const context = `${this.id}:${++this.#readSequence}`;
    return new Promise((resolve, reject) => {
      const timer = options.timeoutMs
        ? this.#options.clock.setTimeout(() => {
            this.#reads.delete(context);
            reject(new ShoalError("deadline_exceeded", `read not confirmed by the leader within ${options.timeoutMs} ms`));
          }, options.timeoutMs)
        : null;
      this.#reads.set(context, {
        resolve: () => (timer?.cancel(), resolve()),
        reject: (error) => (timer?.cancel(), reject(error)),
      });
      this.#core.readIndex(context);
      this.#schedule();
    });
  }

  /** Hands leadership to another voter. */
  transferLeadership(member: MemberId): void {
    this.#core.transferLeadership(member);
    this.#schedule();
  }

  /**
   * Tells the member that its connection to `member` broke (EOF or reset). If that was its leader,
   * it stops trusting the leader's lease and campaigns (pre-vote first) within a few ticks instead
   * of a whole election timeout; see {@link RaftCore.leaderConnectionLost}.
   */
  leaderConnectionLost(member: MemberId): void {
    if (this.#stopped) return;
    this.#core.leaderConnectionLost(member);
    this.#schedule();
  }

  /** Starts an election now (e.g. the first member of a new cluster). */
  campaign(): void {
    this.#core.campaign();
    this.#schedule();
  }

  /** Handles a message from another member (snapshot chunks are reassembled first). */
  step(message: RaftWireMessage): void {
    if (this.#stopped || message.to !== this.id) return;
    if (message.type === "snapshotChunk") {
      const whole = this.#assembler.add(message);
      if (!whole) return;
      this.#core.step(whole);
    } else {
      if (message.type === "append") for (const entry of message.entries) entry.data = ownBytes(entry.data);
      this.#core.step(message);
    }
    this.#schedule();
  }

  #send(message: RaftMessage): void {
    if (message.type !== "snapshot") return this.#options.transport.send(message);
    for (const chunk of splitSnapshot(message, this.#options.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES)) this.#options.transport.send(chunk);
  }

  /** Stops ticking and fails whatever waits; storage stays open for the caller to close. */
  /**
   * Writes a commit index that moved without new entries (otherwise written with the next write or
   * every 10 ticks), so that a restart — or a cluster forced from this log — keeps everything this
   * member applied. Call before {@link stop}.
   */
  async flushCommitIndex(): Promise<void> {
    while (this.#processing && !this.#stopped) await sleep(this.#options.clock, 1);
    const hardState = this.#unsynced;
    if (!hardState || this.#stopped) return;
    this.#unsynced = null;
    await this.#options.storage.persist({ hardState });
    this.#synced = hardState;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ticker.cancel();
    const stopped = new ShoalError("unavailable", "raft member stopped");
    for (const waiter of this.#waiters.values()) (waiter.timer?.cancel(), waiter.reject(stopped));
    this.#waiters.clear();
    for (const read of this.#reads.values()) read.reject(stopped);
    this.#reads.clear();
  }

  #submit(place: () => { index: number; term: number }, timeoutMs: number | undefined): Promise<unknown> {
    if (this.#stopped) return Promise.reject(new ShoalError("unavailable", "raft member is stopped"));
    let placed: { index: number; term: number };
    try {
      placed = place();
    } catch (error) {
      return Promise.reject(error);
    }
    this.#schedule();
    return new Promise((resolve, reject) => {
      const timer = timeoutMs
        ? this.#options.clock.setTimeout(() => {
            this.#waiters.delete(placed.index);
            reject(new ShoalError("deadline_exceeded", `proposal not applied within ${timeoutMs} ms; it may or may not take effect`));
          }, timeoutMs)
        : null;
      this.#waiters.set(placed.index, { term: placed.term, resolve, reject, timer });
    });
  }

  #tick(): void {
    this.#core.tick();
    // Write a lingering commit index now and then, so a restart re-applies little.
    if (++this.#ticks % 10 === 0 && this.#unsynced && !this.#processing) {
      const hardState = this.#unsynced;
      this.#unsynced = null;
      this.#options.storage.persist({ hardState }).then(
        () => void (this.#synced = hardState),
        (error) => this.#fail(error),
      );
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#processing || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      void this.#process();
    });
  }

  /** One ready cycle at a time: persist, then send, then apply; what arrives meanwhile joins the next cycle. */
  async #process(): Promise<void> {
    if (this.#processing || this.#stopped) return;
    this.#processing = true;
    try {
      while (!this.#stopped && this.#core.hasReady()) {
        const ready = this.#core.ready();
        // A leader's appends need not wait for its own disk (Raft thesis §10.2.1): its fsync and
        // the followers' overlap. Everything else waits until what it depends on is durable.
        const late: RaftMessage[] = [];
        const leader = this.#core.role === "leader";
        for (const message of ready.messages) {
          if (leader && (message.type === "append" || message.type === "snapshot")) this.#send(message);
          else late.push(message);
        }
        if (this.#mustSync(ready)) {
          const hardState = ready.hardState ?? this.#unsynced;
          this.#unsynced = null;
          await this.#options.storage.persist({
            ...(ready.snapshot ? { snapshot: ready.snapshot } : {}),
            ...(ready.entries.length > 0 ? { entries: ready.entries } : {}),
            ...(hardState ? { hardState } : {}),
          });
          if (this.#stopped) return;
          if (hardState) this.#synced = hardState;
        } else if (ready.hardState) {
          // Only the commit index moved: it rides along with the next durable write (etcd's MustSync
          // rule) instead of costing an fsync that the next proposal would queue behind.
          this.#unsynced = ready.hardState;
        }
        if (ready.snapshot) {
          this.#options.stateMachine.restore(ready.snapshot.data);
          this.#snapshotIndex = ready.snapshot.meta.index;
        }
        for (const message of late) this.#send(message);
        this.#apply(ready);
        this.#core.advance(ready);
        this.#afterAdvance();
        await this.#maybeSnapshot();
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#processing = false;
    }
  }

  /** Whether a ready cycle's writes must be durable before anything else happens: new entries, a snapshot, a new term or vote. */
  #mustSync(ready: Ready): boolean {
    if (ready.entries.length > 0 || ready.snapshot) return true;
    const hardState = ready.hardState;
    return hardState !== null && (hardState.term !== this.#synced.term || hardState.vote !== this.#synced.vote);
  }

  #fail(error: unknown): void {
    if (this.#stopped) return; // a crash or stop cut a write short: nothing more to do
    this.#log.error("raft member failed; stopping it", { error: String(error) });
    this.stop();
    this.onFatal?.(error);
  }

  #apply(ready: Ready): void {
    for (const entry of ready.committed) {
      const result = entry.kind === "normal" ? this.#options.stateMachine.apply(entry) : undefined;
      const waiter = this.#waiters.get(entry.index);
      if (!waiter) continue;
      this.#waiters.delete(entry.index);
      waiter.timer?.cancel();
      if (waiter.term === entry.term) waiter.resolve(result);
      else waiter.reject(lostLeadership());
    }
    for (const state of ready.readStates) {
      const read = this.#reads.get(state.context);
      if (!read) continue;
      this.#reads.delete(state.context);
      if (state.index < 0) read.reject(new ShoalError("unavailable", "the raft leader could not confirm the read (no leader, or leadership changed); retry"));
      else this.#readsAwaitingApply.push({ index: state.index, resolve: read.resolve });
    }
  }

  #afterAdvance(): void {
    const applied = this.#core.log.applied;
    for (let i = this.#readsAwaitingApply.length - 1; i >= 0; i--) {
      const read = this.#readsAwaitingApply[i]!;
      if (read.index <= applied) {
        this.#readsAwaitingApply.splice(i, 1);
        read.resolve();
      }
    }
    if (this.#core.role !== this.#role) {
      const wasLeader = this.#role === "leader";
      this.#role = this.#core.role;
      this.#log.info("raft role changed", { role: this.#role, term: this.#core.term, leader: this.#core.lead ?? "" });
      if (wasLeader) {
        for (const waiter of this.#waiters.values()) (waiter.timer?.cancel(), waiter.reject(lostLeadership()));
        this.#waiters.clear();
      }
      this.onStateChange?.(this.status());
    }
  }

  async #maybeSnapshot(): Promise<void> {
    const interval = this.#options.snapshotInterval ?? 10_000;
    const applied = this.#core.log.applied;
    if (applied - this.#snapshotIndex < interval) return;
    const snapshot = this.#core.snapshotTaken(applied, ownBytes(this.#options.stateMachine.snapshot()));
    this.#snapshotIndex = applied;
    // The stored commit must cover the snapshot but never run past the entries on disk.
    const hardState = { ...this.#synced, commit: Math.max(this.#synced.commit, applied) };
    this.#unsynced = null;
    await this.#options.storage.persist({ snapshot, hardState });
    this.#synced = hardState;
  }
}
