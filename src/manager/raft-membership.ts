import { toShoalError, type Clock, type Logger, type Timer } from "../lib/index.ts";
import type { ConfigChange, RaftNode } from "../raft/index.ts";
import type { ClusterStore, StoreWatch } from "../store/index.ts";
import type { Node } from "../types/index.ts";
import { isForcedOut } from "./force-new-cluster.ts";
import { REACHABILITY_TIMEOUT_MS, memberReachability, removalLosesQuorum } from "./reachability.ts";

/**
 * How often the leader compares the manager nodes with the raft group even when nothing asked it to
 * (reachability, silences and retries depend on time); the events that matter to a join ask at once,
 * see {@link RaftMembership.kick}.
 */
const CHECK_INTERVAL_MS = 200;
/** A learner is promoted once its log is within this many entries of the leader's commit. */
const CAUGHT_UP_SLACK = 0;
/** How long the leader tries to connect to a new manager before a later round starts over. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * A demoted manager that no longer hears from raft for this long has been removed from the group
 * (the leader stops sending to a removed member, which may never learn of its removal's commit).
 */
const REMOVED_SILENCE_MS = 3000;

/** Options of {@link RaftMembership}. */
export interface RaftMembershipOptions {
  store: ClusterStore;
  raft: RaftNode;
  clock: Clock;
  logger: Logger;
  /** When a raft message from a member last arrived here (the manager's RaftLink). */
  lastHeardFrom: (member: string) => number | undefined;
  /** Called once when this node has been demoted and is out of the raft group (or cut off from it). */
  onDemoted?: () => void;
  /**
   * Opens a connection to a member's raft address, resolving once it is open (the manager's RaftLink,
   * whose connections raft's messages then use). When given, a manager is added as a learner only
   * once this succeeded: the CA records a joining manager's Node before the joiner has stored its
   * certificate and listens, and a member added at once would miss the leader's first messages and
   * be reached only at a later heartbeat, once the failed dial's backoff has passed.
   */
  connect?: (member: string, timeoutMs: number) => Promise<void>;
}

/**
 * On the leader, keeps the raft group in step with the store's manager nodes (SwarmKit adds a
 * member in its join RPC and its role manager removes demoted ones; here the CA server and the node
 * API only record the Node, and this loop acts on it): a manager node with a `ManagerStatus.Addr`
 * that is not in the group is added as a learner once this leader could connect to that address
 * (unless `--force-new-cluster` left it out, marked down); a learner whose log has caught up with the commit
 * index is promoted to voter; a member whose node was demoted is removed (never when the remaining
 * voters would lose their quorum), and its `ManagerStatus` dropped afterwards; a demoted leader
 * hands leadership over first. A member whose Node is gone (a join that failed after the CA recorded
 * it, see `CaServer.abandonJoin`) is removed too, quorum permitting, once this leader's store holds
 * everything committed (so that a Node not applied yet is not taken for a missing one). The leader also writes the members' reachability to the store when it
 * changes, so followers show it. One change at a time (raft refuses a second while one is pending);
 * a failure is logged and retried on the next round.
 *
 * On every manager it also notices this node's own demotion and, once it is out of the group,
 * calls `onDemoted` (the node then continues as a worker).
 *
 * Rounds run every {@link CHECK_INTERVAL_MS} and, so that a join does not wait for the next one
 * twice (once to be added, once to be promoted), also at once after the events that let the next
 * step happen: a change of a manager's Node in the store (a manager token's join recorded, a
 * promotion or demotion, a node removed), a raft message from a learner (its log may have caught up:
 * see {@link heardFrom}) and a membership change that took effect. The rules a round applies stay the
 * same: a learner still becomes a voter only once its log holds everything committed.
 */
export class RaftMembership {
  readonly #options: RaftMembershipOptions;
  readonly #log: Logger;
  #timer: Timer | null = null;
  /** A round asked for by {@link kick}, due at once. */
  #soon: Timer | null = null;
  /** Something asked for a round while one was running: another follows it. */
  #again = false;
  /** Changes of manager nodes in the store. */
  #watch: StoreWatch<unknown> | null = null;
  #busy = false;
  /** Managers not in the group yet whose raft address this leader has connected to, and those it is connecting to. */
  readonly #connected = new Set<string>();
  readonly #connecting = new Set<string>();
  /**
   * When this leader added each recent learner. It counts as heard from then (the connect step has
   * just reached it): the round that follows at once must not write it unreachable before its first answer.
   */
  readonly #addedAt = new Map<string, number>();
  #leaderSince: number | null = null;
  #demotedSeenAt: number | null = null;
  #demotedCalled = false;

  constructor(options: RaftMembershipOptions) {
    this.#options = options;
    this.#log = options.logger.with({ module: "raft-membership" });
  }

  start(): void {
    if (this.#timer) return;
    const arm = () => {
      this.#timer = this.#options.clock.setTimeout(() => {
        void this.check().finally(() => {
          if (this.#timer) arm();
        });
      }, CHECK_INTERVAL_MS);
    };
    arm();
    this.#followManagerNodes();
  }

  /** Idempotent. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#soon?.cancel();
    this.#soon = null;
    this.#watch?.close();
    this.#watch = null;
  }

  /** Asks for a round now instead of at the next interval (coalesced; after the running one, if any). Nothing before start or after stop. */
  kick(): void {
    if (!this.#timer) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#soon ??= this.#options.clock.setTimeout(() => {
      this.#soon = null;
      void this.check();
    }, 0);
  }

  /**
   * A raft message from `member` arrived (the manager's RaftLink calls this after handing it to raft).
   * On the leader, a learner's answer may mean that its log caught up: a round then promotes it
   * without waiting for the interval. Other members' messages (heartbeat answers) ask for nothing.
   */
  heardFrom(member: string): void {
    if (this.#timer && this.#options.raft.status().membership.learners.includes(member)) this.kick();
  }

  /** One round: this node's own demotion, then (on the leader) reachability and at most one membership change. */
  async check(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#round();
    } catch (error) {
      this.#log.warn("raft membership round failed; retrying", { error: toShoalError(error).message });
    } finally {
      this.#busy = false;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    }
  }

  /** Kicks a round whenever a node that is, was or becomes a manager is created, changed or deleted. */
  #followManagerNodes(): void {
    const watch = this.#options.store.watch({
      table: "nodes",
      filter: (event) => event.kind !== "commit" && [event.object, event.oldObject].some((node) => node && (node.Spec.Role === "manager" || node.ManagerStatus !== undefined)),
    });
    this.#watch = watch;
    void (async () => {
      for await (const _event of watch) this.kick();
    })().catch((error) => {
      if (this.#timer) this.#log.warn("stopped following manager nodes; membership changes wait for the periodic round", { error: toShoalError(error).message });
    });
  }

  async #round(): Promise<void> {
    const { raft, store, clock } = this.#options;
    const status = raft.status();
    const now = clock.now();
    const isLeader = status.leader === raft.id;
    this.#leaderSince = isLeader ? (this.#leaderSince ?? now) : null;
    const nodes = store.view((tx) => tx.find("nodes"));
    const { voters, learners } = status.membership;
    const inGroup = new Set([...voters, ...learners]);
    const unreachable = new Set(
      voters.filter((member) => memberReachability({ self: raft.id, leader: status.leader, member, stored: nodes.find((node) => node.ID === member)?.ManagerStatus?.Reachability, lastHeardAt: this.#options.lastHeardFrom(member), now }) === "unreachable"),
    );

    const self = nodes.find((node) => node.ID === raft.id);
    if (self && self.Spec.Role === "worker") {
      this.#demotedSeenAt ??= now;
      if (isLeader) return this.#handOver(voters, unreachable);
      const silentSince = Math.max(this.#demotedSeenAt, ...voters.map((member) => this.#options.lastHeardFrom(member) ?? 0));
      if (!this.#demotedCalled && (!inGroup.has(raft.id) || now - silentSince > REMOVED_SILENCE_MS)) {
        this.#demotedCalled = true;
        this.#log.info("this manager was demoted and is out of raft; continuing as a worker");
        this.#options.onDemoted?.();
      }
      return;
    }
    if (!isLeader) return;

    for (const [member, at] of this.#addedAt) if (now - at > REACHABILITY_TIMEOUT_MS) this.#addedAt.delete(member);
    if (now - this.#leaderSince! >= REACHABILITY_TIMEOUT_MS) await this.#syncReachability(nodes, inGroup, status.leader, now);

    const demoted = nodes.find((node) => node.Spec.Role === "worker" && inGroup.has(node.ID) && node.ID !== raft.id);
    if (demoted && voters.includes(demoted.ID) && removalLosesQuorum(voters, demoted.ID, unreachable)) {
      this.#log.warn("not removing a demoted manager from raft: the remaining managers would lose their quorum", { "node.id": demoted.ID });
    } else if (demoted) {
      return this.#change({ type: "remove", member: demoted.ID });
    }
    const orphan = this.#memberWithoutNode(nodes, inGroup);
    if (orphan && voters.includes(orphan) && removalLosesQuorum(voters, orphan, unreachable)) {
      this.#log.warn("not removing a raft member whose node is gone: the remaining managers would lose their quorum", { "node.id": orphan });
    } else if (orphan) {
      return this.#change({ type: "remove", member: orphan }, "raft member whose node is gone removed from raft");
    }
    const formerManager = nodes.find((node) => node.Spec.Role === "worker" && node.ManagerStatus && !inGroup.has(node.ID));
    if (formerManager) {
      await store.update((tx) => {
        const node = tx.get("nodes", formerManager.ID);
        if (!node?.ManagerStatus || node.Spec.Role !== "worker") return;
        const { ManagerStatus: _status, ...rest } = node;
        tx.update("nodes", rest as Node);
      });
      this.#log.info("demoted manager is a worker now", { "node.id": formerManager.ID });
      return;
    }

    const managers = nodes.filter((node) => node.Spec.Role === "manager" && node.ManagerStatus?.Addr && !isForcedOut(node));
    const missing = managers.find((node) => !inGroup.has(node.ID) && this.#connectedTo(node.ID));
    const progress = raft.replication();
    const caughtUp = learners.find((member) => (progress[member]?.match ?? 0) + CAUGHT_UP_SLACK >= status.commit);
    const change = missing ? ({ type: "addLearner", member: missing.ID } as const) : caughtUp ? ({ type: "promote", member: caughtUp } as const) : null;
    if (change) await this.#change(change);
  }

  /**
   * Whether this leader has connected to `member`'s raft address (always, without the `connect`
   * option); when not, starts connecting, and a round follows once it has.
   */
  #connectedTo(member: string): boolean {
    const { connect } = this.#options;
    if (!connect || this.#connected.has(member)) return true;
    if (!this.#connecting.has(member)) {
      this.#connecting.add(member);
      connect(member, CONNECT_TIMEOUT_MS)
        .then(
          () => {
            this.#connected.add(member);
            this.kick();
          },
          (error) => this.#log.debug("cannot connect to a new manager yet; it joins raft once it can be reached", { "node.id": member, error: toShoalError(error).message }),
        )
        .finally(() => this.#connecting.delete(member));
    }
    return false;
  }

  /**
   * A member of the group (not this one) with no Node object, on a leader whose store holds all that
   * is committed: an entry of its own term committed (so every earlier one is) and applied. A Node
   * created before the member was added is then in the store, unless it was deleted since.
   */
  #memberWithoutNode(nodes: Node[], inGroup: ReadonlySet<string>): string | undefined {
    const { raft } = this.#options;
    const status = raft.status();
    if (status.applied < status.commit || raft.logTerm(status.commit) !== status.term) return undefined;
    const known = new Set(nodes.map((node) => node.ID));
    return [...inGroup].find((member) => member !== raft.id && !known.has(member));
  }

  async #change(change: Extract<ConfigChange, { member: string }>, done?: string): Promise<void> {
    try {
      await this.#options.raft.changeMembership(change, { timeoutMs: 10_000 });
      this.#again = true; // the next step may be due already (another manager to add, a learner caught up)
      if (change.type === "addLearner") {
        this.#connected.delete(change.member);
        this.#addedAt.set(change.member, this.#options.clock.now());
      }
      const what = done ?? { addLearner: "manager added to raft as a learner", promote: "manager promoted to raft voter", remove: "demoted manager removed from raft" }[change.type];
      this.#log.info(what, { "node.id": change.member });
    } catch (error) {
      this.#log.warn("raft membership change failed; retrying", { "node.id": change.member, change: change.type, error: toShoalError(error).message });
    }
  }

  /** A demoted leader: leadership goes to the reachable voter furthest along, which then removes this member. */
  #handOver(voters: string[], unreachable: ReadonlySet<string>): void {
    const { raft } = this.#options;
    const progress = raft.replication();
    const target = voters
      .filter((member) => member !== raft.id && !unreachable.has(member))
      .sort((a, b) => (progress[b]?.match ?? 0) - (progress[a]?.match ?? 0))[0];
    if (!target) return;
    this.#log.info("this leader was demoted; handing leadership over", { to: target });
    raft.transferLeadership(target);
  }

  /** On the leader: writes each member's reachability as it sees it, when that differs from the store. */
  async #syncReachability(nodes: Node[], inGroup: ReadonlySet<string>, leader: string | null, now: number): Promise<void> {
    const { raft, store } = this.#options;
    const changed = nodes.flatMap((node) => {
      if (!node.ManagerStatus || !inGroup.has(node.ID)) return [];
      const heard = this.#options.lastHeardFrom(node.ID);
      const added = this.#addedAt.get(node.ID);
      const lastHeardAt = added === undefined ? heard : Math.max(heard ?? added, added);
      const live = memberReachability({ self: raft.id, leader, member: node.ID, stored: node.ManagerStatus.Reachability, lastHeardAt, now });
      return live === node.ManagerStatus.Reachability ? [] : [{ id: node.ID, reachability: live }];
    });
    if (changed.length === 0) return;
    await store.update((tx) => {
      for (const { id, reachability } of changed) {
        const node = tx.get("nodes", id);
        if (node?.ManagerStatus) tx.update("nodes", { ...node, ManagerStatus: { ...node.ManagerStatus, Reachability: reachability } });
      }
    });
    for (const { id, reachability } of changed) this.#log.info("manager reachability changed", { "node.id": id, reachability });
  }
}
