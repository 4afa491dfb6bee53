import { ShoalError, toShoalError, type Logger } from "../lib/index.ts";
import type { ClusterStore, StoreEvent, SwarmTables } from "../store/index.ts";
import type { AssignmentsMessage, Task } from "../types/index.ts";
import { NodeAssignments } from "./node-assignments.ts";

/**
 * Events the router may fall behind by: one applied entry can hold the status reports of 10,000
 * tasks, and raft may apply several entries before the router runs.
 */
const ROUTER_QUEUE_LIMIT = 1_000_000;

/** A change of one entry, held until the entry's commit event. */
type Change = { table: "tasks"; kind: "create" | "update" | "delete"; object: Task; oldObject?: Task } | { table: "secrets" | "configs"; id: string };

/** One assignments stream: what its node holds, and whether changes wait to be sent. */
class Feed {
  readonly nodeId: string;
  readonly assignments: NodeAssignments;
  /** The store index the first message was read at: entries up to it are in it already. */
  readonly since: number;
  #first: AssignmentsMessage | null;
  #dirty = false;
  #wake: (() => void) | null = null;
  #error: ShoalError | null = null;
  #closed = false;

  constructor(nodeId: string, assignments: NodeAssignments, since: number, first: AssignmentsMessage) {
    this.nodeId = nodeId;
    this.assignments = assignments;
    this.since = since;
    this.#first = first;
  }

  /** Changes wait to be flushed. */
  touch(): void {
    this.#dirty = true;
    this.#wakeUp();
  }

  /** Ends the stream (with `error`, or normally). */
  end(error: ShoalError | null): void {
    this.#closed = true;
    this.#error ??= error;
    this.#wakeUp();
  }

  /** The first message, then one message with everything that changed whenever the reader is ready again. */
  async *messages(): AsyncGenerator<AssignmentsMessage> {
    const first = this.#first!;
    this.#first = null;
    yield first;
    for (;;) {
      if (!this.#dirty && !this.#closed) await new Promise<void>((resolve) => (this.#wake = resolve));
      if (this.#error) throw this.#error;
      if (this.#closed) return;
      this.#dirty = false;
      // Flushed only here, between two whole entries: the router applies an entry in one go.
      const message = this.assignments.flush();
      if (message) yield message;
    }
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * The dispatcher's assignments streams, fed from one store watch (SwarmKit gives each session its
 * own filtered subscription; with a thousand nodes that is a thousand filters run on every task
 * change): a task change goes only to the streams of the node it is (or was) assigned to, a secret
 * or config change to every stream (each resends it only if its tasks use it). A stream sends one
 * message with everything that changed since it last sent, once its reader is ready: a slow node
 * gets fewer, larger messages instead of a backlog.
 */
export class AssignmentRouter {
  readonly #store: ClusterStore;
  readonly #log: Logger;
  readonly #feeds = new Map<string, Set<Feed>>();
  #watch: { close(): void } | null = null;

  constructor(options: { store: ClusterStore; logger: Logger }) {
    this.#store = options.store;
    this.#log = options.logger.with({ module: "dispatcher" });
  }

  /**
   * The assignments stream of `nodeId` until `signal` aborts: first every task assigned to the
   * node and the secrets and configs they use, then the changes. Ends with an error when the
   * router fell too far behind the store (the agent opens a new stream).
   */
  open(nodeId: string, signal: AbortSignal): AsyncGenerator<AssignmentsMessage> {
    this.#ensureWatch();
    const store = this.#store;
    const assignments = new NodeAssignments(nodeId, {
      secret: (id) => store.view((tx) => tx.get("secrets", id)),
      config: (id) => store.view((tx) => tx.get("configs", id)),
    });
    // The view and the index belong together: nothing applies between two synchronous reads.
    const tasks = store.view((tx) => tx.find("tasks", { index: "node", key: nodeId }));
    const feed = new Feed(nodeId, assignments, store.index, assignments.complete(tasks));
    const feeds = this.#feeds.get(nodeId) ?? new Set<Feed>();
    this.#feeds.set(nodeId, feeds);
    feeds.add(feed);
    const close = () => {
      feed.end(null);
      feeds.delete(feed);
      if (feeds.size === 0 && this.#feeds.get(nodeId) === feeds) this.#feeds.delete(nodeId);
    };
    if (signal.aborted) close();
    else signal.addEventListener("abort", close, { once: true });
    return feed.messages();
  }

  /** Ends every stream and stops watching; idempotent. */
  close(): void {
    this.#endAll(null);
  }

  #endAll(error: ShoalError | null): void {
    this.#watch?.close();
    this.#watch = null;
    const feeds = [...this.#feeds.values()].flatMap((set) => [...set]);
    this.#feeds.clear();
    for (const feed of feeds) feed.end(error);
  }

  #ensureWatch(): void {
    if (this.#watch) return;
    const watch = this.#store.watch({ table: ["tasks", "secrets", "configs"], kinds: ["create", "update", "delete", "commit"], queueLimit: ROUTER_QUEUE_LIMIT });
    this.#watch = watch;
    void this.#route(watch);
  }

  async #route(watch: AsyncIterable<StoreEvent<SwarmTables>> & { close(): void }): Promise<void> {
    let pending: Change[] = [];
    try {
      for await (const event of watch) {
        if (event.kind === "commit") {
          this.#apply(pending, event.index);
          pending = [];
        } else if (event.table === "tasks") {
          pending.push({ table: "tasks", kind: event.kind, object: event.object as Task, ...(event.kind === "update" ? { oldObject: event.oldObject as Task } : {}) });
        } else if (event.table === "secrets" || event.table === "configs") {
          pending.push({ table: event.table, id: event.object.ID });
        }
      }
    } catch (error) {
      if (this.#watch !== watch) return;
      const failure = toShoalError(error);
      this.#log.warn("assignments streams restart: the dispatcher fell behind the store", { error: failure.message });
      this.#endAll(new ShoalError("unavailable", `the dispatcher fell behind the store; open the assignments stream again (${failure.message})`));
    }
  }

  /** Gives the changes of the entry at `index` to the streams they concern, then wakes those streams. */
  #apply(changes: Change[], index: number): void {
    const touched = new Set<Feed>();
    const deliver = (nodeId: string | undefined, id: string, task: Task | null) => {
      if (!nodeId) return;
      for (const feed of this.#feeds.get(nodeId) ?? []) {
        if (feed.since >= index) continue;
        feed.assignments.observe(id, task);
        touched.add(feed);
      }
    };
    for (const change of changes) {
      if (change.table === "tasks") {
        const { object, oldObject } = change;
        const task = change.kind === "delete" ? null : object;
        deliver(object.NodeID, object.ID, task);
        if (oldObject?.NodeID && oldObject.NodeID !== object.NodeID) deliver(oldObject.NodeID, object.ID, task);
      } else {
        for (const feeds of this.#feeds.values()) {
          for (const feed of feeds) {
            if (feed.since >= index) continue;
            feed.assignments.observeFile(change.id);
            touched.add(feed);
          }
        }
      }
    }
    for (const feed of touched) feed.touch();
  }
}
