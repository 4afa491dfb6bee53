/**
 * The sequential key-value store that client histories of the raft-backed store are checked
 * against: get, put, delete and compare-and-swap on string keys and values.
 */
import { UNKNOWN, type Model, type Operation, type Unknown } from "./linearizability.ts";

/** A key-value operation as a client called it. */
export type KvInput =
  | { op: "get"; key: string }
  | { op: "put"; key: string; value: string }
  | { op: "delete"; key: string }
  | { op: "cas"; key: string; expected: string | null; value: string };

/** What a call returned: get → the value or null; cas → whether it swapped; put, delete → undefined. */
export type KvOutput = string | null | boolean | undefined;

/** The store's contents; a missing key has no value. */
export type KvState = Readonly<Record<string, string>>;

/** One recorded key-value operation. */
export type KvOperation = Operation<KvInput, KvOutput>;

/** The value that stands for any written value nobody read (primed if some client used it). */
export const UNREAD = "⟨unread⟩";

/** The key-value model, partitioned per key (each key is an independent register). */
export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => ({}),

  step(state, input, output) {
    const current = state[input.key] ?? null;
    switch (input.op) {
      case "get":
        return { ok: output === UNKNOWN || output === current, next: state };
      case "put":
        return { ok: true, next: { ...state, [input.key]: input.value } };
      case "delete": {
        const { [input.key]: _removed, ...rest } = state;
        return { ok: true, next: rest };
      }
      case "cas": {
        const swaps = current === input.expected;
        if (output !== UNKNOWN && output !== swaps) return { ok: false, next: state };
        return { ok: true, next: swaps ? { ...state, [input.key]: input.value } : state };
      }
    }
  },

  key: (state) =>
    JSON.stringify(
      Object.keys(state)
        .sort()
        .map((key) => [key, state[key]]),
    ),

  readOnly: (input) => input.op === "get",

  /** One sub-history per key; reads that never returned are dropped (they change nothing). */
  partition(history) {
    const byKey = new Map<string, KvOperation[]>();
    for (const op of history) {
      if (op.input.op === "get" && op.return === Infinity) continue;
      const ops = byKey.get(op.input.key);
      if (ops) ops.push(op);
      else byKey.set(op.input.key, [op]);
    }
    return byKey;
  },

  /**
   * Writes of values that no completed read returned and no cas expected are given one shared
   * value, `UNREAD`: nothing can tell such values apart, and the search then treats those writes
   * as interchangeable. Failure reports show the state with it.
   */
  canonicalize(history) {
    const observed = new Set<string>();
    for (const { input, output, return: returned } of history) {
      if (input.op === "get" && returned !== Infinity && typeof output === "string") observed.add(output);
      if (input.op === "cas" && input.expected !== null) observed.add(input.expected);
    }
    let unread = UNREAD;
    while (observed.has(unread)) unread += "'";
    return history.map(({ input }) =>
      (input.op === "put" || input.op === "cas") && !observed.has(input.value) ? { ...input, value: unread } : input,
    );
  },

  describeOperation: (input, output) => `${describeInput(input)}${describeOutput(input, output)}`,

  describeState(state) {
    const keys = Object.keys(state).sort();
    if (keys.length === 0) return "{} (no keys)";
    return `{${keys.map((key) => `${key}: ${JSON.stringify(state[key])}`).join(", ")}}`;
  },
};

function describeInput(input: KvInput): string {
  switch (input.op) {
    case "get":
    case "delete":
      return `${input.op}(${input.key})`;
    case "put":
      return `put(${input.key}, ${JSON.stringify(input.value)})`;
    case "cas":
      return `cas(${input.key}, ${JSON.stringify(input.expected)}, ${JSON.stringify(input.value)})`;
  }
}

function describeOutput(input: KvInput, output: KvOutput | Unknown): string {
  if (output === UNKNOWN) return " → ? (never returned)";
  if (input.op === "get" || input.op === "cas") return ` → ${JSON.stringify(output)}`;
  return "";
}
