/**
 * A synchronous in-memory network of RaftCores for scenario tests (etcd-io/raft's `network`):
 * persistence is instant, messages are delivered in order until the cluster is quiet, and links
 * can be cut, members isolated, message types dropped.
 */
import { encodeConfigChange, type ConfigChange } from "../../src/raft/config-change.ts";
import { DEFAULT_RAFT_CONFIG, type RaftConfig, type RaftStart, type ReadState } from "../../src/raft/raft-config.ts";
import { RaftCore } from "../../src/raft/raft-core.ts";
import type { RaftMessage, RaftMessageType } from "../../src/raft/raft-message.ts";
import type { PersistedState } from "../../src/raft/raft-storage.ts";
import type { LogEntry, MemberId, Membership } from "../../src/raft/raft-types.ts";

/** A seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The items in an order drawn from `random` (Fisher–Yates). Never `sort(() => random() - 0.5)`:
 * how often an engine calls an inconsistent comparator is not fixed (JavaScriptCore's count changed
 * within one process), so a seed would stop replaying.
 */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

/** State that a member has to start from: a log of (term) entries and a hard state. */
export function persistedWith(terms: number[], membership: Membership, options: { term?: number; vote?: MemberId | null; commit?: number } = {}): PersistedState {
  const entries: LogEntry[] = [
    { index: 1, term: 1, kind: "config", data: configData({ type: "reset", voters: membership.voters }) },
    ...terms.map((term, i) => ({ index: i + 2, term, kind: "normal" as const, data: new TextEncoder().encode(`e${i + 2}`) })),
  ];
  return { hardState: { term: options.term ?? Math.max(1, ...terms), vote: options.vote ?? null, commit: options.commit ?? 0 }, snapshot: null, entries };
}

function configData(change: ConfigChange): Uint8Array {
  return encodeConfigChange(change);
}

/** A set of cores wired by an in-memory network. */
export class CoreNetwork {
  readonly cores = new Map<MemberId, RaftCore>();
  readonly applied = new Map<MemberId, LogEntry[]>();
  /** Read states each member produced. */
  readonly readStates = new Map<MemberId, ReadState[]>();
  readonly #cut = new Set<string>();
  readonly #dropTypes = new Set<RaftMessageType>();
  /** Every message delivered, for assertions. */
  readonly delivered: RaftMessage[] = [];

  constructor(ids: MemberId[], options: { config?: Partial<RaftConfig>; seed?: number; persisted?: Map<MemberId, PersistedState>; start?: RaftStart } = {}) {
    const random = seededRandom(options.seed ?? 1);
    for (const id of ids) {
      const persisted = options.persisted?.get(id) ?? persistedWith([], { voters: ids, learners: [] });
      this.add(id, persisted, { ...options.config, random }, options.start);
    }
  }

  /** Adds a member (a new one joins with an empty log). */
  add(id: MemberId, persisted: PersistedState, config: Partial<RaftConfig> = {}, start?: RaftStart): RaftCore {
    const core = new RaftCore({ ...DEFAULT_RAFT_CONFIG, random: seededRandom(id.length * 7919), ...config, id }, persisted, start);
    this.cores.set(id, core);
    this.applied.set(id, []);
    this.readStates.set(id, []);
    return core;
  }

  core(id: MemberId): RaftCore {
    return this.cores.get(id)!;
  }

  /** The members that think they lead, by term. */
  leaders(): RaftCore[] {
    return [...this.cores.values()].filter((core) => core.role === "leader");
  }

  cut(a: MemberId, b: MemberId): void {
    this.#cut.add(`${a}>${b}`).add(`${b}>${a}`);
  }

  isolate(id: MemberId): void {
    for (const other of this.cores.keys()) if (other !== id) this.cut(id, other);
  }

  recover(): void {
    this.#cut.clear();
    this.#dropTypes.clear();
  }

  dropType(type: RaftMessageType): void {
    this.#dropTypes.add(type);
  }

  /** Ticks `id` until it campaigns, then delivers until quiet. */
  campaign(id: MemberId): void {
    this.core(id).campaign();
    this.stabilize();
  }

  /** Ticks every member `n` times, delivering in between. */
  tick(n = 1, ids: MemberId[] = [...this.cores.keys()]): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.core(id).tick();
      this.stabilize();
    }
  }

  /** Persists (instantly), applies and delivers until no member has anything to do. */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let busy = false;
      for (const [id, core] of this.cores) {
        if (!core.hasReady()) continue;
        busy = true;
        const ready = core.ready();
        this.applied.get(id)!.push(...ready.committed);
        this.readStates.get(id)!.push(...ready.readStates);
        core.advance(ready);
        for (const message of ready.messages) this.#deliver(message);
      }
      if (!busy) return;
    }
    throw new Error("core network did not stabilize");
  }

  #deliver(message: RaftMessage): void {
    if (this.#cut.has(`${message.from}>${message.to}`) || this.#dropTypes.has(message.type)) return;
    const target = this.cores.get(message.to);
    if (!target) return;
    this.delivered.push(message);
    target.step(message);
  }
}
