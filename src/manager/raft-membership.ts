import { toShoalError, type Clock, type Logger, type Timer } from "../lib/index.ts";
import type { RaftNode } from "../raft/index.ts";
import type { ClusterStore } from "../store/index.ts";

/** How often the leader compares the manager nodes with the raft group. */
const CHECK_INTERVAL_MS = 200;
/** A learner is promoted once its log is within this many entries of the leader's commit. */
const CAUGHT_UP_SLACK = 0;

/** Options of {@link RaftMembership}. */
export interface RaftMembershipOptions {
  store: ClusterStore;
  raft: RaftNode;
  clock: Clock;
  logger: Logger;
}

/**
 * On the leader, keeps the raft group in step with the store's manager nodes (SwarmKit adds a
 * member in its join RPC; here the CA server only records the Node, and this loop acts on it): a
 * manager node with a `ManagerStatus.Addr` that is not in the group is added as a learner; a learner
 * whose log has caught up with the commit index is promoted to voter. One change at a time (raft
 * refuses a second while one is pending); a failure is logged and retried on the next round.
 */
export class RaftMembership {
  readonly #options: RaftMembershipOptions;
  readonly #log: Logger;
  #timer: Timer | null = null;
  #busy = false;

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
  }

  /** Idempotent. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  /** One round: at most one membership change, on the leader only. */
  async check(): Promise<void> {
    const { raft, store } = this.#options;
    const status = raft.status();
    if (this.#busy || status.leader !== raft.id) return;
    const { voters, learners } = status.membership;
    const inGroup = new Set([...voters, ...learners]);
    const managers = store.view((tx) => tx.find("nodes")).filter((node) => node.Spec.Role === "manager" && node.ManagerStatus?.Addr);
    const missing = managers.find((node) => !inGroup.has(node.ID));
    const progress = raft.replication();
    const caughtUp = learners.find((member) => (progress[member]?.match ?? 0) + CAUGHT_UP_SLACK >= status.commit);
    const change = missing ? ({ type: "addLearner", member: missing.ID } as const) : caughtUp ? ({ type: "promote", member: caughtUp } as const) : null;
    if (!change) return;
    this.#busy = true;
    try {
      await raft.changeMembership(change, { timeoutMs: 10_000 });
      this.#log.info(change.type === "addLearner" ? "manager added to raft as a learner" : "manager promoted to raft voter", { "node.id": change.member });
    } catch (error) {
      this.#log.warn("raft membership change failed; retrying", { "node.id": change.member, change: change.type, error: toShoalError(error).message });
    } finally {
      this.#busy = false;
    }
  }
}
