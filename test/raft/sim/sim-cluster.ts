import { ShoalError } from "../../../src/lib/index.ts";
import { encodeConfigChange } from "../../../src/raft/config-change.ts";
import { RaftNode } from "../../../src/raft/raft-node.ts";
import type { RaftStorage } from "../../../src/raft/raft-storage.ts";
import type { MemberId } from "../../../src/raft/raft-types.ts";
import { seededRandom } from "../core-network.ts";
import { KvStateMachine } from "./kv-state-machine.ts";
import { SimInvariants } from "./sim-invariants.ts";
import { SimNetwork, type NetworkFaults } from "./sim-network.ts";
import { SimScheduler } from "./sim-scheduler.ts";

/** A disk the simulation controls: it can lose what was not synced, and come back. */
export interface SimStorage extends RaftStorage {
  crash(): void;
  reopen(): SimStorage;
}

/** Makes a member's disk; `sync` lets the simulation decide when a write becomes durable. */
export type SimStorageFactory = (sync: (complete: () => void) => void) => SimStorage;

/** One simulated manager. */
export interface SimMember {
  id: MemberId;
  node: RaftNode | null;
  storage: SimStorage;
  machine: KvStateMachine;
  incarnation: number;
  /** How many of `machine.appliedLog` were fed to the invariants. */
  seenApplied: number;
}

/** Options of a {@link SimCluster}. */
export interface SimClusterOptions {
  seed: number;
  size: number;
  storage: SimStorageFactory;
  faults?: Partial<NetworkFaults>;
  snapshotInterval?: number;
}

/**
 * A raft cluster in one process: real RaftNodes over a simulated clock, network and disks, all
 * ordered by one seeded scheduler. Crashes lose unsynced writes; invariants run after every event.
 */
export class SimCluster {
  readonly scheduler = new SimScheduler();
  readonly random: () => number;
  readonly network: SimNetwork;
  readonly invariants = new SimInvariants();
  readonly members = new Map<MemberId, SimMember>();
  readonly #options: SimClusterOptions;
  /** Members removed from the group: stopped for good, their IDs never reused. */
  readonly removed = new Set<MemberId>();
  #nextMember = 0;
  /** The first fatal error of any member (a bug: the run fails). */
  fatal: Error | null = null;
  /** Milliseconds a disk sync takes at most right now (raised for slow-disk episodes). */
  diskLatencyMs = 2;

  constructor(options: SimClusterOptions) {
    this.#options = options;
    this.random = seededRandom(options.seed);
    this.network = new SimNetwork(this.scheduler, this.random, {
      dropRate: 0.02,
      duplicateRate: 0.01,
      minDelayMs: 1,
      maxDelayMs: 15,
      ...options.faults,
    });
  }

  /** Members not removed from the group. */
  get ids(): MemberId[] {
    return [...this.members.keys()].filter((id) => !this.removed.has(id));
  }

  /** Creates the members with the initial membership on disk and starts them. */
  async start(): Promise<void> {
    const ids = Array.from({ length: this.#options.size }, (_, i) => `m${i + 1}`);
    for (const id of ids) {
      const storage = this.#options.storage((complete) => this.scheduler.at(this.random() * this.diskLatencyMs, complete));
      const seeding = storage.persist({
        entries: [{ index: 1, term: 1, kind: "config", data: encodeConfigChange({ type: "reset", voters: ids }) }],
        hardState: { term: 1, vote: null, commit: 1 },
      });
      await this.runFor(this.diskLatencyMs + 1);
      await seeding;
      this.members.set(id, { id, node: null, storage, machine: new KvStateMachine(), incarnation: 0, seenApplied: 0 });
    }
    for (const id of ids) await this.#launch(this.members.get(id)!);
    this.#nextMember = ids.length;
  }

  /** Starts a brand-new member with an empty disk; it learns the group from the leader once added. */
  async addEmptyMember(): Promise<MemberId> {
    const id = `m${++this.#nextMember}`;
    const storage = this.#options.storage((complete) => this.scheduler.at(this.random() * this.diskLatencyMs, complete));
    const member: SimMember = { id, node: null, storage, machine: new KvStateMachine(), incarnation: 0, seenApplied: 0 };
    this.members.set(id, member);
    await this.#launch(member);
    return id;
  }

  /** Stops a member that left the group, for good. */
  retire(id: MemberId): void {
    this.crash(id);
    this.removed.add(id);
  }

  async #launch(member: SimMember): Promise<void> {
    member.machine = new KvStateMachine();
    member.seenApplied = 0;
    member.incarnation++;
    const node = await RaftNode.start({
      id: member.id,
      storage: member.storage,
      transport: { send: (message) => this.network.send(message) },
      clock: this.scheduler,
      stateMachine: member.machine,
      tickMs: 10,
      snapshotInterval: this.#options.snapshotInterval ?? 50,
      // Tiny chunks: every snapshot crosses the faulty network in pieces.
      snapshotChunkBytes: 16,
      config: { random: this.random, electionTicks: 10, heartbeatTicks: 1, trailingEntries: 5 },
    });
    node.onFatal = (error) => {
      this.fatal ??= new Error(`${member.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    };
    member.node = node;
    this.network.attach(member.id, (message) => node.step(message));
  }

  /** Kills a member: it stops at once and its disk loses what was not synced. */
  crash(id: MemberId): void {
    const member = this.members.get(id)!;
    if (!member.node) return;
    member.node.stop();
    member.node = null;
    this.network.detach(id);
    member.storage.crash();
    // Its connections break at once (as a killed process's do): the others hear of it.
    for (const other of this.members.values()) other.node?.leaderConnectionLost(id);
  }

  /** Starts a crashed member again from what its disk kept. */
  async restart(id: MemberId): Promise<void> {
    const member = this.members.get(id)!;
    if (member.node || this.removed.has(id)) return;
    member.storage = member.storage.reopen();
    await this.#launch(member);
  }

  live(): SimMember[] {
    return [...this.members.values()].filter((member) => member.node !== null);
  }

  leader(): SimMember | undefined {
    return this.live().find((member) => member.node!.status().role === "leader");
  }

  /** Runs events until `ms` of simulated time passed, checking invariants after each. */
  async runFor(ms: number): Promise<void> {
    const until = this.scheduler.now() + ms;
    while (this.scheduler.runNext(until)) {
      await settle();
      this.checkInvariants();
    }
    await settle();
  }

  #events = 0;

  checkInvariants(): void {
    if (this.fatal) throw this.fatal;
    if (++this.#events % 25 === 0) this.invariants.checkLogMatching(this.live().map((member) => member.node!));
    for (const member of this.members.values()) {
      if (!member.node) continue;
      const applied = member.machine.appliedLog;
      if (applied.length > member.seenApplied) {
        this.invariants.recordApplied(member.id, applied.slice(member.seenApplied));
        member.seenApplied = applied.length;
      }
      this.invariants.check(member.node, member.incarnation);
    }
  }

  /** Waits on the simulated clock. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.scheduler.at(ms, resolve));
  }
}

/** Lets every promise callback that is ready run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether a failed proposal certainly did not take effect (refused before it was placed in the log). */
export function certainlyNotApplied(error: unknown): boolean {
  return error instanceof ShoalError && /not the raft leader|have no leader|being transferred|member is stopped|membership change is already/.test(error.message);
}
