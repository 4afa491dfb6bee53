/**
 * A linearizability checker for client histories: Wing & Gong's search with Lowe's memo cache,
 * in the shape of Porcupine's `checkSingle`.
 *
 * A history is linearizable when each operation can be given one instant between its call and
 * its return such that, run one at a time in that order, a sequential `Model` accepts every
 * output. An operation that never returned (`return: Infinity`: the client crashed or gave up)
 * may take effect at any instant after its call, or never. A model may split the history into
 * independent parts (one per key: P-compositionality), checked apart, smallest first.
 *
 * The search walks a doubly linked list of call and return events in time order: at a call it
 * tries to place that operation now, unless the pair (operations placed, model state) was seen
 * before; at a return whose operation is not placed yet it backtracks. Beyond Porcupine, a pair
 * is also skipped when one with the same state, the same completed operations and a subset of
 * the never-returned ones was seen (those need never take effect); never-returned operations
 * with equal inputs are interchangeable, so only the earliest called is tried; and a legal
 * read-only operation is placed without trying alternatives. Without the first two, each
 * never-returned write multiplies the work of refusing a history.
 */

/** The output of an operation that never returned: the model must not constrain it. */
export const UNKNOWN: unique symbol = Symbol("unknown output");

/** The type of `UNKNOWN`. */
export type Unknown = typeof UNKNOWN;

/** One operation as a client saw it; `return: Infinity` marks one that never returned. */
export interface Operation<Input, Output> {
  clientId: number;
  input: Input;
  /** What the call returned; ignored (treated as `UNKNOWN`) when `return` is Infinity. */
  output?: Output;
  /** Logical time of the call (finite). */
  call: number;
  /** Logical time of the return, at or after `call`; Infinity if it never returned. */
  return: number;
}

/** A sequential specification of the object the history was recorded against. */
export interface Model<State, Input, Output> {
  /** The state before any operation. */
  init(): State;
  /**
   * Whether `output` is a legal answer to `input` in `state`, and the state after it. For an
   * `UNKNOWN` output, answer ok with the state the operation would leave if it took effect.
   * Must not mutate `state`.
   */
  step(state: State, input: Input, output: Output | Unknown): { ok: boolean; next: State };
  /** A string equal for two states exactly when they are equal (the memo cache's key). */
  key(state: State): string;
  /** Whether the operation never changes any state (a read): the search places it once legal. */
  readOnly?(input: Input): boolean;
  /** Splits a history into independent sub-histories, labelled (for example one per key). */
  partition?(history: readonly Operation<Input, Output>[]): Map<string, Operation<Input, Output>[]>;
  /**
   * The inputs to search a sub-history with, one per operation: equivalent for checking it, but
   * making interchangeable operations equal (for example writes of values nobody read), so the
   * search can treat them as one. Inputs are compared by their JSON text.
   */
  canonicalize?(history: readonly Operation<Input, Output>[]): Input[];
  /** One operation as text, for failure reports. */
  describeOperation?(input: Input, output: Output | Unknown): string;
  /** A state as text, for failure reports. */
  describeState?(state: State): string;
}

/** Options of `checkLinearizable`. */
export interface CheckOptions {
  /** Give up after this long and answer `{ ok: "unknown" }`; no limit when absent. */
  timeoutMs?: number;
}

/** Why a history is not linearizable, on the smallest sub-history that is not. */
export interface Violation<State, Input, Output> {
  ok: false;
  /** A readable account: the end of the longest linearizable prefix and the op that failed. */
  reason: string;
  /** The label of the failing sub-history (from `Model.partition`, else "history"). */
  partition: string;
  /** The failing sub-history. */
  history: Operation<Input, Output>[];
  /** The longest linearizable prefix the search found, in linearization order. */
  linearized: Operation<Input, Output>[];
  /** The model state after `linearized`. */
  state: State;
  /** The operation that returned before it could be placed after `linearized`. */
  unplaced: Operation<Input, Output>;
}

/** The verdict of `checkLinearizable`. */
export type CheckResult<State, Input, Output> =
  | { ok: true }
  | Violation<State, Input, Output>
  | { ok: "unknown"; reason: "timeout" };

/** How far the search got in a sub-history that is not linearizable. */
interface Deepest<State> {
  order: number[];
  state: State;
  stuck: number;
}

const NIL = -1;
const HEAD = 0;
const DEADLINE_EVERY = 1024;

/** Checks that `history` is linearizable with respect to `model`. */
export function checkLinearizable<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
  options: CheckOptions = {},
): CheckResult<State, Input, Output> {
  for (const op of history) {
    if (!Number.isFinite(op.call) || Number.isNaN(op.return) || op.return < op.call) {
      throw new RangeError(`operation of client ${op.clientId} has call ${op.call} and return ${op.return}`);
    }
  }
  const deadline = options.timeoutMs === undefined ? Infinity : performance.now() + options.timeoutMs;
  const parts = model.partition?.(history) ?? new Map([["history", [...history]]]);
  const bySize = [...parts].sort((a, b) => a[1].length - b[1].length);
  for (const [label, ops] of bySize) {
    const inputs = model.canonicalize?.(ops) ?? ops.map((op) => op.input);
    const outcome = search(model, ops, inputs, deadline);
    if (outcome === "timeout") return { ok: "unknown", reason: "timeout" };
    if (outcome !== true) return violation(model, label, ops, inputs, outcome);
  }
  return { ok: true };
}

/** Searches one sub-history: true, "timeout", or the deepest partial linearization found. */
function search<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: readonly Operation<Input, Output>[],
  inputs: readonly Input[],
  deadline: number,
): true | "timeout" | Deepest<State> {
  const n = ops.length;
  // Events in time order, a call before a return at the same time: node i + 1 is event i.
  const events = Array.from({ length: 2 * n }, (_, e) => e);
  const time = (e: number) => ((e & 1) === 0 ? ops[e >> 1]!.call : ops[e >> 1]!.return);
  events.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);
  const next = new Int32Array(2 * n + 1);
  const prev = new Int32Array(2 * n + 1);
  const nodeEvent = new Int32Array(2 * n + 1);
  const callNode = new Int32Array(n);
  const returnNode = new Int32Array(n);
  for (let i = 0; i <= 2 * n; i++) {
    next[i] = i === 2 * n ? NIL : i + 1;
    prev[i] = i - 1;
    if (i === 0) continue;
    const e = events[i - 1]!;
    nodeEvent[i] = e;
    if ((e & 1) === 0) callNode[e >> 1] = i;
    else returnNode[e >> 1] = i;
  }
  const unlink = (node: number) => {
    next[prev[node]!] = next[node]!;
    if (next[node] !== NIL) prev[next[node]!] = prev[node]!;
  };
  const relink = (node: number) => {
    next[prev[node]!] = node;
    if (next[node] !== NIL) prev[next[node]!] = node;
  };

  // Zobrist hashing of the completed operations linearized; the cache keeps the whole sets.
  let seed = 0x5eed;
  const zobrist = Int32Array.from({ length: 2 * n }, () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    return (seed ^= seed << 5);
  });
  const linearized = new Uint32Array((n + 31) >>> 5);
  const completed = new Uint32Array((n + 31) >>> 5);
  ops.forEach((op, id) => {
    if (op.return !== Infinity) completed[id >>> 5]! |= 1 << (id & 31);
  });
  const cache = new Map<string, Uint32Array[]>();
  let hashA = 0;
  let hashB = 0;
  const toggle = (id: number) => {
    linearized[id >>> 5]! ^= 1 << (id & 31);
    if (ops[id]!.return === Infinity) return;
    hashA ^= zobrist[2 * id]!;
    hashB ^= zobrist[2 * id + 1]!;
  };

  // At each point the search tries, in turn: a completed read-only operation (pass 0: if one is
  // legal, placing it now loses nothing, so it is the only choice), other completed operations
  // (pass 1), then never-returned ones (pass 2: the branches without them are cached first).
  // A never-returned call waits for the earlier one with the same input.
  const pending = (id: number) => ops[id]!.return === Infinity;
  const passOf = ops.map((op, id) => (pending(id) ? 2 : model.readOnly?.(inputs[id]!) ? 0 : 1));
  const placed = (id: number) => ((linearized[id >>> 5]! >>> (id & 31)) & 1) === 1;
  const waitsFor = new Int32Array(n).fill(NIL);
  const lastOfInput = new Map<string, number>();
  for (const id of Array.from(ops.keys()).filter(pending).sort((a, b) => ops[a]!.call - ops[b]!.call || a - b)) {
    const text = JSON.stringify(inputs[id]);
    waitsFor[id] = lastOfInput.get(text) ?? NIL;
    lastOfInput.set(text, id);
  }
  const frames: { id: number; state: State; forced: boolean }[] = [];
  let deepest: Deepest<State> | null = null;
  let state = model.init();
  let node = next[HEAD]!;
  let pass = 0;
  for (let steps = 1; node !== NIL; steps++) {
    if (steps % DEADLINE_EVERY === 0 && performance.now() > deadline) return "timeout";
    const id = nodeEvent[node]! >> 1;
    let dead = false;
    if ((nodeEvent[node]! & 1) === 0) {
      if (passOf[id] === pass && (waitsFor[id] === NIL || placed(waitsFor[id]!))) {
        const { ok, next: after } = model.step(state, inputs[id]!, pending(id) ? UNKNOWN : (ops[id]!.output as Output));
        const forced = pass === 0;
        if (ok) {
          toggle(id);
          if (remember(cache, `${hashA}:${hashB}:${model.key(after)}`, linearized, completed)) {
            frames.push({ id, state, forced });
            state = after;
            unlink(node);
            unlink(returnNode[id]!);
            [node, pass] = [next[HEAD]!, 0];
            continue;
          }
          toggle(id);
          dead = forced; // that very state was already explored and failed
        }
      }
      if (!dead) {
        node = next[node]!;
        continue;
      }
    } else if (pending(id)) {
      return true; // returns that never happened sort last: every completed operation is placed
    } else if (pass < 2) {
      [node, pass] = [next[HEAD]!, pass + 1];
      continue;
    } else if (deepest === null || frames.length > deepest.order.length) {
      deepest = { order: frames.map((frame) => frame.id), state, stuck: id };
    }
    // Dead end: undo the last choice, and the one before while the undone one was forced.
    let frame: (typeof frames)[number] | undefined;
    do {
      frame = frames.pop();
      if (frame === undefined) return deepest!;
      state = frame.state;
      toggle(frame.id);
      relink(returnNode[frame.id]!);
      relink(callNode[frame.id]!);
    } while (frame.forced);
    [node, pass] = [next[callNode[frame.id]!]!, pending(frame.id) ? 2 : 1];
  }
  return true;
}

/**
 * Adds the set to the cache under `key` (completed set hash and state); false if a set with the
 * same completed operations and a subset of the never-returned ones is there already.
 */
function remember(cache: Map<string, Uint32Array[]>, key: string, linearized: Uint32Array, completed: Uint32Array): boolean {
  const seen = cache.get(key);
  if (seen === undefined) {
    cache.set(key, [linearized.slice()]);
    return true;
  }
  const covers = (set: Uint32Array) =>
    set.every((word, i) => (word & ~linearized[i]!) === 0 && ((word ^ linearized[i]!) & completed[i]!) === 0);
  if (seen.some(covers)) return false;
  seen.push(linearized.slice());
  return true;
}

const SHOWN = 8;

function violation<State, Input, Output>(
  model: Model<State, Input, Output>,
  label: string,
  ops: Operation<Input, Output>[],
  inputs: readonly Input[],
  deepest: Deepest<State>,
): Violation<State, Input, Output> {
  const describeOp = (op: Operation<Input, Output>) => {
    const output = op.return === Infinity ? UNKNOWN : (op.output as Output);
    const text = model.describeOperation?.(op.input, output) ?? defaultOperation(op.input, output);
    const end = op.return === Infinity ? "∞" : op.return;
    return `client ${op.clientId} ${text} [${op.call}, ${end}]`;
  };
  const describeState = model.describeState ?? ((state: State) => JSON.stringify(state));
  const linearized = deepest.order.map((id) => ops[id]!);
  const unplaced = ops[deepest.stuck]!;
  const placed = new Set(deepest.order);
  const open = ops.filter((op, id) => id !== deepest.stuck && !placed.has(id) && op.call < unplaced.return);
  const legal = model.step(deepest.state, inputs[deepest.stuck]!, unplaced.output as Output).ok;
  const lines = [
    `partition "${label}" (${ops.length} ops) is not linearizable.`,
    `The longest linearizable prefix has ${linearized.length} ops${linearized.length > SHOWN ? `; its last ${SHOWN}` : ""}:`,
    ...(linearized.length > SHOWN ? ["  …"] : []),
    ...linearized.slice(-SHOWN).map((op) => `  ${describeOp(op)}`),
    `After it the state is ${describeState(deepest.state)}, and ${describeOp(unplaced)} returned before it could take effect:`,
    legal
      ? "  it is legal in that state, but every order that places it fails later."
      : "  its output is not legal in that state.",
    ...(open.length > 0 ? ["Other ops called before it returned, not placed:"] : []),
    ...open.slice(0, SHOWN).map((op) => `  ${describeOp(op)}`),
    ...(open.length > SHOWN ? [`  … and ${open.length - SHOWN} more`] : []),
  ];
  return { ok: false, reason: lines.join("\n"), partition: label, history: ops, linearized, state: deepest.state, unplaced };
}

function defaultOperation(input: unknown, output: unknown): string {
  return `${JSON.stringify(input)} → ${output === UNKNOWN ? "?" : JSON.stringify(output)}`;
}
