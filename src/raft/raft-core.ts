import { ShoalError } from "../lib/index.ts";
import { applyConfigChange, encodeConfigChange, quorum, type ConfigChange } from "./config-change.ts";
import { EMPTY_MEMBERSHIP, membershipInLog } from "./log-membership.ts";
import { ReadIndexQueue } from "./read-index-queue.ts";
import { VoteTally } from "./vote-tally.ts";
import { Progress } from "./progress.ts";
import { RaftLog } from "./raft-log.ts";
import type { AppendMessage, AppendResponseMessage, HeartbeatMessage, OutgoingMessage, RaftMessage, SnapshotMessage, VoteMessage } from "./raft-message.ts";
import type { PersistedState } from "./raft-storage.ts";
import type { RaftConfig, RaftRole, RaftStart, Ready, ReadState } from "./raft-config.ts";
import type { EntryKind, HardState, LogEntry, MemberId, Membership, Snapshot } from "./raft-types.ts";


/**
 * The raft protocol as a pure, deterministic state machine (etcd-io/raft's design): messages and
 * ticks go in through `step` and `tick`; what to persist, send and apply comes out of `ready`.
 * No clock, disk or network in here.
 */
export class RaftCore {
  readonly id: MemberId;
  readonly config: RaftConfig;
  term: number;
  vote: MemberId | null;
  lead: MemberId | null = null;
  role: RaftRole = "follower";
  readonly log: RaftLog;
  membership: Membership = EMPTY_MEMBERSHIP;
  /** Index of the config entry that set the membership (0: from the snapshot). */
  #configIndex = 0;
  /** Last config entry not yet known applied: one change at a time. */
  #pendingConfigIndex = 0;
  readonly progress = new Map<MemberId, Progress>();
  #votes = new VoteTally();
  #electionElapsed = 0;
  #heartbeatElapsed = 0;
  #randomizedElectionTimeout = 0;
  leadTransferee: MemberId | null = null;
  #messages: RaftMessage[] = [];
  #readStates: ReadState[] = [];
  readonly #reads = new ReadIndexQueue();
  #appendsPending = false;
  #lastHardState: HardState;

  constructor(config: RaftConfig, persisted: PersistedState, start: RaftStart = {}) {
    this.id = config.id;
    this.config = config;
    this.term = persisted.hardState.term;
    this.vote = persisted.hardState.vote;
    let entries = persisted.entries;
    let commit = persisted.hardState.commit;
    if (start.forceNewCluster) entries = entries.filter((entry) => entry.index <= commit);
    this.log = new RaftLog(persisted.snapshot, [...entries], commit);
    this.#lastHardState = { ...persisted.hardState };
    if (start.forceNewCluster) {
      this.#appendLocal("config", encodeConfigChange({ type: "reset", voters: [this.id] }), Math.max(this.term, 1));
    } else if (start.bootstrap && this.log.lastIndex === 0) {
      this.term = Math.max(this.term, 1);
      this.#appendLocal("config", encodeConfigChange({ type: "reset", voters: [this.id] }), this.term);
    }
    this.#recomputeMembership();
    this.#resetTimers();
  }

  // ---- inputs -----------------------------------------------------------------------------

  /** One unit of logical time passed. */
  tick(): void {
    if (this.role === "leader") return this.#tickLeader();
    this.#electionElapsed++;
    if (this.#isVoter(this.id) && this.#electionElapsed >= this.#randomizedElectionTimeout) {
      this.#electionElapsed = 0;
      this.campaign();
    }
  }

  /**
   * A side channel says the connection to `member` broke (EOF or reset: a killed process shows at
   * once). A follower of `member` forgets it, so that it grants pre-votes as if its election
   * timeout had run out (etcd's ForgetLeader), and campaigns after 1 + its rank among the other
   * voters ticks, so that survivors do not split the vote. Safe: votes are unchanged, and pre-vote
   * still needs a quorum that also lost (or forgot) the leader; no read relies on a lease.
   */
  leaderConnectionLost(member: MemberId): void {
    if (this.role !== "follower" || this.lead !== member) return;
    this.lead = null;
    if (!this.#isVoter(this.id)) return;
    const rank = this.membership.voters.filter((voter) => voter !== member).sort().indexOf(this.id);
    this.#electionElapsed = Math.max(this.#electionElapsed, this.#randomizedElectionTimeout - 1 - Math.max(0, rank));
  }

  /** Starts an election now (pre-vote first when enabled). */
  campaign(transfer = false): void {
    if (!this.#isVoter(this.id) || this.role === "leader") return;
    if (this.config.preVote && !transfer) this.#startElection("pre", false);
    else this.#startElection("real", transfer);
  }

  /** Appends a command; the leader only. Returns where it will commit if leadership holds. */
  propose(data: Uint8Array): { index: number; term: number } {
    this.#requireLeader();
    return this.#appendLocal("normal", data, this.term);
  }

  /** Proposes a membership change; the leader only, one at a time, never one that loses quorum. */
  proposeConfigChange(change: ConfigChange): { index: number; term: number } {
    this.#requireLeader();
    if (this.#pendingConfigIndex > this.log.applied) {
      throw new ShoalError("failed_precondition", "a raft membership change is already in progress; retry when it completes");
    }
    const next = applyConfigChange(this.membership, change);
    if (change.type === "remove" || change.type === "reset") {
      const reachable = next.voters.filter((member) => member === this.id || this.progress.get(member)?.recentActive).length;
      if (reachable < quorum(next.voters.length)) {
        throw new ShoalError(
          "failed_precondition",
          `this change would leave the managers without a quorum: ${reachable} of the ${next.voters.length} remaining managers are reachable, ${quorum(next.voters.length)} are needed`,
        );
      }
    }
    const placed = this.#appendLocal("config", encodeConfigChange(change), this.term);
    this.#pendingConfigIndex = placed.index;
    return placed;
  }

  /** Asks for a linearizable read: a ReadState with `context` comes out once leadership is confirmed. */
  readIndex(context: string): void {
    if (this.role === "leader") return this.#leaderRead(context, this.id);
    if (this.lead === null) {
      this.#readStates.push({ context, index: -1 });
      return;
    }
    this.#send({ type: "readIndex", to: this.lead, term: this.term, context });
  }

  /** Hands leadership to `member` (which catches up first). */
  transferLeadership(member: MemberId): void {
    this.#requireLeader();
    if (member === this.id) return;
    if (!this.#isVoter(member)) throw new ShoalError("failed_precondition", `raft member ${member} is not a voter`);
    this.leadTransferee = member;
    this.#electionElapsed = 0;
    const progress = this.progress.get(member)!;
    if (progress.match === this.log.lastIndex) this.#send({ type: "timeoutNow", to: member, term: this.term });
    else this.#sendAppend(member);
  }

  /** Records a snapshot the state machine took at `index` (≤ applied), compacting the log behind it. */
  snapshotTaken(index: number, data: Uint8Array): Snapshot {
    if (index > this.log.applied) throw new ShoalError("internal", `cannot snapshot at ${index}: only ${this.log.applied} is applied`);
    const snapshot: Snapshot = { meta: { index, term: this.log.termAt(index)!, membership: membershipInLog(this.log, index).membership }, data };
    this.log.snapshot = snapshot;
    this.log.compact(Math.max(0, index - this.config.trailingEntries));
    return snapshot;
  }

  /** Handles a message from another member. */
  step(message: RaftMessage): void {
    if (!this.#checkTerm(message)) return;
    switch (message.type) {
      case "vote":
      case "preVote":
        return this.#handleVoteRequest(message);
      case "voteResponse":
      case "preVoteResponse":
        if ((message.type === "voteResponse") === (this.role === "candidate") && this.role !== "follower" && this.role !== "leader") {
          this.#poll(message.from, !message.reject);
        }
        return;
      case "append":
      case "heartbeat":
      case "snapshot":
        if (this.role !== "follower") this.#becomeFollower(message.term, message.from);
        this.lead = message.from;
        this.#electionElapsed = 0;
        if (message.type === "append") return this.#handleAppend(message);
        if (message.type === "heartbeat") return this.#handleHeartbeat(message);
        return this.#handleSnapshot(message);
      case "appendResponse":
        if (this.role === "leader") this.#handleAppendResponse(message);
        return;
      case "heartbeatResponse":
        if (this.role === "leader") this.#handleHeartbeatResponse(message.from, message.readContext);
        return;
      case "readIndex":
        if (this.role === "leader") this.#leaderRead(message.context, message.from);
        else this.#send({ type: "readIndexResponse", to: message.from, term: this.term, context: message.context, index: -1 });
        return;
      case "readIndexResponse":
        this.#readStates.push({ context: message.context, index: message.index });
        return;
      case "timeoutNow":
        if (this.role === "follower") this.campaign(true);
        return;
    }
  }

  // ---- outputs ----------------------------------------------------------------------------

  /** Whether there is anything to persist, send or apply. */
  hasReady(): boolean {
    return (
      this.#appendsPending ||
      this.#messages.length > 0 ||
      this.#readStates.length > 0 ||
      this.log.pendingSnapshot !== null ||
      this.log.stableIndex < this.log.lastIndex ||
      this.log.nextCommitted().length > 0 ||
      !sameHardState(this.#hardState(), this.#lastHardState)
    );
  }

  /** Collects what to do now; call `advance` with it once it is persisted. */
  ready(): Ready {
    if (this.#appendsPending) {
      this.#appendsPending = false;
      this.#broadcastAppend();
    }
    const hardState = this.#hardState();
    return {
      hardState: sameHardState(hardState, this.#lastHardState) ? null : hardState,
      entries: this.log.unstableEntries(),
      snapshot: this.log.pendingSnapshot,
      committed: this.log.nextCommitted(),
      messages: this.#messages.splice(0),
      readStates: this.#readStates.splice(0),
    };
  }

  /** The driver persisted, sent and applied what `ready` gave. */
  advance(ready: Ready): void {
    if (ready.hardState) this.#lastHardState = ready.hardState;
    if (ready.snapshot && this.log.pendingSnapshot === ready.snapshot) {
      this.log.pendingSnapshot = null;
      this.log.applied = Math.max(this.log.applied, ready.snapshot.meta.index);
    }
    const last = ready.entries.at(-1);
    if (last && this.log.termAt(last.index) === last.term) this.log.stableIndex = Math.max(this.log.stableIndex, last.index);
    const applied = ready.committed.at(-1);
    if (applied) this.log.applied = Math.max(this.log.applied, applied.index);
    if (this.role === "leader") {
      if (this.#maybeCommit()) this.#appendsPending = true;
      if (!this.#isMember(this.id) && this.log.applied >= this.#configIndex) this.#becomeFollower(this.term, null);
    }
  }

  // ---- terms and elections ------------------------------------------------------------------

  /** Applies raft's term rules; false when the message is to be dropped. */
  #checkTerm(message: RaftMessage): boolean {
    if (message.term > this.term) {
      if (message.type === "vote" || message.type === "preVote") {
        const inLease = this.config.checkQuorum && this.lead !== null && this.#electionElapsed < this.config.electionTicks;
        if (inLease && !message.transfer) return false;
        if (!this.#isMember(message.from)) return false;
      }
      if (message.type === "preVote" || (message.type === "preVoteResponse" && !message.reject)) return true;
      const leader = message.type === "append" || message.type === "heartbeat" || message.type === "snapshot" ? message.from : null;
      this.#becomeFollower(message.term, leader);
      return true;
    }
    if (message.term < this.term) {
      if ((this.config.checkQuorum || this.config.preVote) && (message.type === "append" || message.type === "heartbeat")) {
        // Tell a stale leader about the newer term so it steps down.
        this.#send({ type: "appendResponse", to: message.from, term: this.term, reject: false, index: 0, hintIndex: 0, hintTerm: 0 });
      } else if (message.type === "preVote") {
        this.#send({ type: "preVoteResponse", to: message.from, term: this.term, reject: true });
      }
      return false;
    }
    return true;
  }

  #handleVoteRequest(message: VoteMessage): void {
    const canVote =
      this.vote === message.from || (this.vote === null && this.lead === null) || (message.type === "preVote" && message.term > this.term);
    const responseType = message.type === "vote" ? "voteResponse" : "preVoteResponse";
    if (canVote && this.#isMember(message.from) && this.log.isUpToDate(message.lastIndex, message.lastTerm)) {
      this.#send({ type: responseType, to: message.from, term: message.term, reject: false });
      if (message.type === "vote") {
        this.#electionElapsed = 0;
        this.vote = message.from;
      }
    } else {
      this.#send({ type: responseType, to: message.from, term: this.term, reject: true });
    }
  }

  #startElection(kind: "pre" | "real", transfer: boolean): void {
    if (kind === "pre") {
      this.role = "preCandidate";
      this.lead = null;
      this.#votes = new VoteTally();
    } else {
      this.#reset(this.term + 1);
      this.vote = this.id;
      this.role = "candidate";
    }
    const voteTerm = kind === "pre" ? this.term + 1 : this.term;
    this.#votes.record(this.id, true);
    if (this.#votes.outcome(this.membership.voters) === "won") return this.#electionWon();
    for (const member of this.membership.voters) {
      if (member === this.id) continue;
      this.#send({ type: kind === "pre" ? "preVote" : "vote", to: member, term: voteTerm, lastIndex: this.log.lastIndex, lastTerm: this.log.lastTerm, transfer });
    }
  }

  #poll(from: MemberId, granted: boolean): void {
    if (!this.#isVoter(from)) return;
    this.#votes.record(from, granted);
    const outcome = this.#votes.outcome(this.membership.voters);
    if (outcome === "won") this.#electionWon();
    else if (outcome === "lost") this.#becomeFollower(this.term, null);
  }

  #electionWon(): void {
    if (this.role === "preCandidate") return this.#startElection("real", false);
    this.#becomeLeader();
  }

  #becomeFollower(term: number, lead: MemberId | null): void {
    this.#reset(term);
    this.role = "follower";
    this.lead = lead;
  }

  #becomeLeader(): void {
    this.#reset(this.term);
    this.role = "leader";
    this.lead = this.id;
    for (const member of [...this.membership.voters, ...this.membership.learners]) {
      if (member !== this.id) this.progress.set(member, new Progress(this.log.lastIndex + 1, this.membership.learners.includes(member)));
    }
    // No membership change until everything before this term is applied.
    this.#pendingConfigIndex = this.log.lastIndex;
    this.#appendLocal("noop", new Uint8Array(0), this.term);
  }

  #reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.#votes = new VoteTally();
    this.progress.clear();
    this.leadTransferee = null;
    for (const read of this.#reads.drain()) this.#answerRead(read.context, read.from, -1);
    this.#resetTimers();
  }

  #resetTimers(): void {
    this.#electionElapsed = 0;
    this.#heartbeatElapsed = 0;
    const base = this.config.electionTicks;
    this.#randomizedElectionTimeout = base + Math.floor(this.config.random() * base);
  }

  #tickLeader(): void {
    this.#heartbeatElapsed++;
    this.#electionElapsed++;
    for (const progress of this.progress.values()) {
      // A snapshot unanswered for an election timeout was probably lost: probe again, which resends it.
      if (progress.state === "snapshot" && ++progress.snapshotTicks >= this.config.electionTicks) progress.becomeProbe();
    }
    if (this.#electionElapsed >= this.config.electionTicks) {
      this.#electionElapsed = 0;
      if (this.config.checkQuorum && !this.#quorumActive()) return this.#becomeFollower(this.term, null);
      this.leadTransferee = null;
    }
    if (this.#heartbeatElapsed >= this.config.heartbeatTicks) {
      this.#heartbeatElapsed = 0;
      this.#broadcastHeartbeat(null);
    }
  }

  /** Whether a quorum of voters was heard from since the last check; clears the marks. */
  #quorumActive(): boolean {
    let active = 0;
    for (const member of this.membership.voters) {
      const progress = this.progress.get(member);
      if (member === this.id || progress?.recentActive) active++;
      if (progress) progress.recentActive = false;
    }
    return active >= quorum(this.membership.voters.length);
  }

  // ---- replication ------------------------------------------------------------------------

  #appendLocal(kind: EntryKind, data: Uint8Array, term: number): { index: number; term: number } {
    const entry: LogEntry = { index: this.log.lastIndex + 1, term, kind, data };
    this.log.append([entry]);
    if (kind === "config") this.#recomputeMembership();
    this.#appendsPending = this.role === "leader";
    return { index: entry.index, term };
  }

  #broadcastAppend(): void {
    for (const member of this.progress.keys()) this.#sendAppend(member);
  }

  #broadcastHeartbeat(readContext: string | null): void {
    for (const [member, progress] of this.progress) {
      this.#send({ type: "heartbeat", to: member, term: this.term, commit: Math.min(progress.match, this.log.committed), readContext });
    }
  }

  #sendAppend(member: MemberId): void {
    const progress = this.progress.get(member);
    if (!progress || !progress.canSend(this.config.maxInflight)) return;
    const prevIndex = progress.next - 1;
    const prevTerm = this.log.termAt(prevIndex);
    if (prevTerm === undefined || progress.next < this.log.firstIndex) return this.#sendSnapshot(member, progress);
    const entries = progress.next <= this.log.lastIndex ? this.log.slice(progress.next, this.log.lastIndex, this.config.maxAppendBytes) : [];
    if (entries.length === 0 && progress.state === "replicate" && progress.match === this.log.lastIndex && progress.inflight.length > 0) return;
    this.#send({ type: "append", to: member, term: this.term, prevIndex, prevTerm, entries, commit: this.log.committed });
    progress.sent(entries.at(-1)?.index ?? prevIndex);
  }

  #sendSnapshot(member: MemberId, progress: Progress): void {
    const snapshot = this.log.snapshot;
    if (!snapshot) throw new ShoalError("internal", `raft: follower ${member} needs entries that were compacted without a snapshot`);
    this.#send({ type: "snapshot", to: member, term: this.term, snapshot });
    progress.becomeSnapshot(snapshot.meta.index);
  }

  #handleAppend(message: AppendMessage): void {
    const respond = (fields: Omit<AppendResponseMessage, "type" | "from" | "to" | "term">) =>
      this.#send({ type: "appendResponse", to: message.from, term: this.term, ...fields });
    if (message.prevIndex < this.log.committed) {
      return respond({ reject: false, index: this.log.committed, hintIndex: 0, hintTerm: 0 });
    }
    if (this.log.matchTerm(message.prevIndex, message.prevTerm)) {
      const before = this.log.lastIndex;
      const lastNew = this.log.appendFromLeader(message.prevIndex, message.entries);
      if (message.entries.some((entry) => entry.kind === "config") || this.log.lastIndex < before || this.#configIndex > this.log.lastIndex) {
        this.#recomputeMembership();
      } else if (this.#configIndex > 0 && this.log.termAt(this.#configIndex) === undefined) {
        this.#recomputeMembership();
      }
      this.log.commitTo(Math.min(message.commit, lastNew));
      return respond({ reject: false, index: lastNew, hintIndex: 0, hintTerm: 0 });
    }
    const hintIndex = this.log.findConflictByTerm(Math.min(message.prevIndex, this.log.lastIndex), message.prevTerm);
    respond({ reject: true, index: message.prevIndex, hintIndex, hintTerm: this.log.termAt(hintIndex) ?? 0 });
  }

  #handleHeartbeat(message: HeartbeatMessage): void {
    this.log.commitTo(message.commit);
    this.#send({ type: "heartbeatResponse", to: message.from, term: this.term, readContext: message.readContext });
  }

  #handleSnapshot(message: SnapshotMessage): void {
    const { meta } = message.snapshot;
    if (meta.index > this.log.committed && !this.log.matchTerm(meta.index, meta.term)) {
      this.log.restore(message.snapshot);
      this.#recomputeMembership();
    } else {
      this.log.commitTo(meta.index);
    }
    this.#send({ type: "appendResponse", to: message.from, term: this.term, reject: false, index: this.log.committed, hintIndex: 0, hintTerm: 0 });
  }

  #handleAppendResponse(message: AppendResponseMessage): void {
    const progress = this.progress.get(message.from);
    if (!progress) return;
    progress.recentActive = true;
    if (message.reject) {
      // Stale rejections (for an append already superseded) are ignored.
      if (message.index <= progress.match) return;
      const next = this.log.findConflictByTerm(message.hintIndex, message.hintTerm) + 1;
      progress.becomeProbe();
      progress.next = Math.max(progress.match + 1, Math.min(next, message.index));
      return this.#sendAppend(message.from);
    }
    const news = progress.acknowledge(message.index);
    if (progress.state === "probe" || (progress.state === "snapshot" && progress.match >= progress.pendingSnapshot)) progress.becomeReplicate();
    if (news && this.#maybeCommit()) this.#broadcastAppend();
    else if (progress.next <= this.log.lastIndex) this.#sendAppend(message.from);
    if (message.from === this.leadTransferee && progress.match === this.log.lastIndex) {
      this.#send({ type: "timeoutNow", to: message.from, term: this.term });
    }
  }

  #handleHeartbeatResponse(from: MemberId, readContext: string | null): void {
    const progress = this.progress.get(from);
    if (!progress) return;
    progress.recentActive = true;
    progress.probeSent = false;
    // The follower is alive: if its window is full of appends that were lost, let one more go.
    if (progress.state === "replicate" && progress.inflight.length >= this.config.maxInflight) progress.inflight.shift();
    if (progress.match < this.log.lastIndex) this.#sendAppend(from);
    if (readContext === null || !this.#isVoter(from)) return;
    for (const read of this.#reads.acknowledge(readContext, from, quorum(this.membership.voters.length))) {
      this.#answerRead(read.context, read.from, read.index);
    }
  }

  /** Commits the highest index a quorum of voters holds, if it is of this term. */
  #maybeCommit(): boolean {
    const matches = this.membership.voters.map((member) => (member === this.id ? this.log.stableIndex : (this.progress.get(member)?.match ?? 0)));
    matches.sort((a, b) => b - a);
    const index = matches[quorum(matches.length) - 1] ?? 0;
    if (index <= this.log.committed || this.log.termAt(index) !== this.term) return false;
    this.log.commitTo(index);
    for (const read of this.#reads.takeDeferred()) this.#leaderRead(read.context, read.from);
    return true;
  }

  // ---- reads ------------------------------------------------------------------------------

  #leaderRead(context: string, from: MemberId): void {
    if (this.log.termAt(this.log.committed) !== this.term) {
      this.#reads.deferUntilCommit(context, from);
      return;
    }
    if (this.membership.voters.length === 1) return this.#answerRead(context, from, this.log.committed);
    this.#reads.start(context, this.log.committed, from, this.id);
    this.#broadcastHeartbeat(context);
  }

  #answerRead(context: string, from: MemberId, index: number): void {
    if (from === this.id) this.#readStates.push({ context, index });
    else this.#send({ type: "readIndexResponse", to: from, term: this.term, context, index });
  }

  // ---- membership -------------------------------------------------------------------------

  #isVoter(member: MemberId): boolean {
    return this.membership.voters.includes(member);
  }

  #isMember(member: MemberId): boolean {
    return this.membership.voters.includes(member) || this.membership.learners.includes(member);
  }

  /** Re-derives the membership from the snapshot and the config entries after it (latest wins, even uncommitted). */
  #recomputeMembership(): void {
    const { membership, configIndex } = membershipInLog(this.log, this.log.lastIndex);
    this.membership = membership;
    this.#configIndex = configIndex;
    if (this.role === "leader") {
      for (const member of [...membership.voters, ...membership.learners]) {
        if (member === this.id) continue;
        const existing = this.progress.get(member);
        const isLearner = membership.learners.includes(member);
        if (!existing || existing.isLearner !== isLearner) {
          const progress = new Progress(this.log.lastIndex + 1, isLearner);
          // A promoted learner keeps its flow control: what is in flight to it still is. Reset to probe,
          // with the promotion's append out, it would get nothing more (not the commit index that makes
          // it a voter either) until it answered, and then only with the next heartbeat.
          if (existing) {
            const { match, next, state, probeSent, pendingSnapshot, snapshotTicks, recentActive } = existing;
            Object.assign(progress, { match, next, state, probeSent, inflight: [...existing.inflight], pendingSnapshot, snapshotTicks, recentActive });
          }
          this.progress.set(member, progress);
        }
      }
      for (const member of [...this.progress.keys()]) if (!this.#isMember(member)) this.progress.delete(member);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  #requireLeader(): void {
    if (this.role !== "leader") throw new ShoalError("unavailable", this.lead ? `not the raft leader (the leader is ${this.lead})` : "the managers have no leader");
    if (this.leadTransferee) throw new ShoalError("unavailable", "raft leadership is being transferred; retry shortly");
  }

  #send(message: OutgoingMessage): void {
    this.#messages.push({ ...message, from: this.id } as RaftMessage);
  }

  #hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
