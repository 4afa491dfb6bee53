import { expect, test } from "bun:test";
import fc from "fast-check";
import { checkLinearizable, UNKNOWN, type Model } from "./linearizability.ts";
import { kvModel, type KvInput, type KvOperation, type KvOutput, type KvState } from "./linearizability-kv.ts";

const put = (key: string, value: string): KvInput => ({ op: "put", key, value });
const get = (key: string): KvInput => ({ op: "get", key });
const del = (key: string): KvInput => ({ op: "delete", key });
const cas = (key: string, expected: string | null, value: string): KvInput => ({ op: "cas", key, expected, value });

/** One operation: `[call, return]` on client `clientId`; `return: Infinity` never returned. */
function op(clientId: number, call: number, ret: number, input: KvInput, output?: KvOutput): KvOperation {
  return { clientId, input, output, call, return: ret };
}

const check = (history: KvOperation[]) => checkLinearizable(kvModel, history);

/**
 * What one client does next in a simulated run: it waits `gap`, calls, the operation takes
 * effect `before` later and returns `after` that; a cas expects the current value if `hit`; a
 * `pending` call never returns, and takes effect only if it `lands`.
 */
function stepArb(clients: number, keys: number, pendingOneIn: number) {
  return fc.record({
    client: fc.nat(clients - 1),
    kind: fc.constantFrom<KvInput["op"]>("get", "get", "put", "put", "cas", "delete"),
    key: fc.nat(keys - 1),
    gap: fc.nat(3),
    before: fc.integer({ min: 1, max: 6 }),
    after: fc.integer({ min: 1, max: 6 }),
    hit: fc.boolean(),
    pending: pendingOneIn > 0 ? fc.noBias(fc.nat(pendingOneIn - 1)).map((n) => n === 0) : fc.constant(false),
    lands: fc.boolean(),
  });
}

type Step = ReturnType<typeof stepArb> extends fc.Arbitrary<infer S> ? S : never;

/**
 * Runs the steps against a correct store: each operation takes effect at one random instant
 * strictly inside its interval (a pending one maybe never), every write a fresh value.
 */
function simulate(steps: Step[], clients: number): KvOperation[] {
  const free = Array.from({ length: clients }, () => 0);
  const ids = Array.from({ length: clients }, (_, i) => i);
  const planned = steps.map((step) => {
    const call = free[step.client]! + step.gap;
    const point = call + step.before;
    free[step.client] = point + step.after;
    const operation = op(ids[step.client]!, call, step.pending ? Infinity : point + step.after, get(`k${step.key}`));
    if (step.pending) ids[step.client] = ids[step.client]! + clients; // the client gave up on the call and reconnected
    return { step, point, operation };
  });
  const store = new Map<string, string>();
  let written = 0;
  for (const { step, operation } of [...planned].sort((a, b) => a.point - b.point)) {
    const key = operation.input.key;
    const current = store.get(key) ?? null;
    const value = `v${++written}`;
    if (step.kind === "put") operation.input = put(key, value);
    if (step.kind === "delete") operation.input = del(key);
    if (step.kind === "cas") operation.input = cas(key, step.hit ? current : current === null ? "v0" : null, value);
    if (step.pending && !step.lands) continue;
    if (step.kind === "get") operation.output = current;
    if (step.kind === "put") store.set(key, value);
    if (step.kind === "delete") store.delete(key);
    if (step.kind === "cas") {
      operation.output = step.hit;
      if (step.hit) store.set(key, value);
    }
  }
  return planned.map(({ operation }) => operation);
}

/** Answers one completed read with the value from before the latest write completed before it. */
function injectStaleRead(history: KvOperation[]): KvOperation | null {
  const puts = history.filter((o) => o.input.op === "put" && o.return !== Infinity);
  for (const read of history) {
    if (read.input.op !== "get" || read.return === Infinity) continue;
    const key = read.input.key;
    const latest = puts.filter((w) => w.input.key === key && w.return < read.call);
    for (const overwrite of latest) {
      const older = latest.find((w) => w.return < overwrite.call);
      if (older === undefined || older.input.op !== "put") continue;
      read.output = older.input.value;
      return read;
    }
  }
  return null;
}

/** A simulated correct run of `count` operations, the same for the same seed. */
function sampleHistory(seed: number, count: number, clients: number, keys: number, pendingOneIn: number): KvOperation[] {
  const steps = fc.array(fc.noBias(stepArb(clients, keys, pendingOneIn)), { minLength: count, maxLength: count });
  return simulate(fc.sample(steps, { seed, numRuns: 1 })[0]!, clients);
}

test("a sequential history of a correct store is linearizable", () => {
  fc.assert(
    fc.property(fc.array(stepArb(1, 2, 0), { maxLength: 80, size: "max" }), (steps) => {
      expect(check(simulate(steps, 1))).toEqual({ ok: true });
    }),
  );
});

test("a correct concurrent store, linearized at random points inside each call, always passes", () => {
  fc.assert(
    fc.property(fc.array(stepArb(3, 2, 15), { maxLength: 120, size: "max" }), (steps) => {
      expect(check(simulate(steps, 3))).toEqual({ ok: true });
    }),
  );
});

test("the same runs with one read answered from before the latest completed write are refused", () => {
  fc.assert(
    fc.property(fc.array(stepArb(3, 2, 15), { minLength: 10, maxLength: 120, size: "max" }), (steps) => {
      const history = simulate(steps, 3);
      const stale = injectStaleRead(history);
      fc.pre(stale !== null);
      const result = check(history);
      expect(result.ok).toBe(false);
      if (result.ok === false) expect(result.partition).toBe(stale!.input.key);
    }),
  );
});

/** Linearizable by trying every order the calls and returns allow (and every subset of pending ops). */
function bruteForce(left: KvOperation[], state: KvState = kvModel.init()): boolean {
  if (left.every((o) => o.return === Infinity)) return true;
  return left.some((o, i) => {
    if (left.some((x) => x.return < o.call)) return false;
    const { ok, next } = kvModel.step(state, o.input, o.return === Infinity ? UNKNOWN : o.output);
    return ok && bruteForce(left.toSpliced(i, 1), next);
  });
}

test("on small random histories, right or wrong, the verdict is the one found by trying every order", () => {
  const value = fc.constantFrom("a", "b", "c");
  const input = fc.oneof(
    fc.constant(get("x")),
    value.map((v) => put("x", v)),
    fc.constant(del("x")),
    fc.tuple(fc.option(value), value).map(([expected, v]) => cas("x", expected, v)),
  );
  const operation = fc
    .record({ input, read: fc.option(value), swapped: fc.boolean(), call: fc.nat(12), length: fc.nat(6), pending: fc.nat(3) })
    .map(({ input, read, swapped, call, length, pending }) => {
      const output = input.op === "get" ? read : input.op === "cas" ? swapped : undefined;
      return op(0, call, pending === 0 ? Infinity : call + length, input, output);
    });
  const verdicts = { true: 0, false: 0 };
  fc.assert(
    fc.property(fc.array(operation, { maxLength: 8, size: "max" }), (history) => {
      const expected = bruteForce(history);
      verdicts[`${expected}`]++;
      expect(check(history).ok).toBe(expected);
    }),
    { numRuns: 500 },
  );
  expect(verdicts.true).toBeGreaterThan(50);
  expect(verdicts.false).toBeGreaterThan(50);
});

test("concurrent writes may take effect in either order, and reads during them may see either", () => {
  const writes = [op(0, 0, 10, put("x", "a")), op(1, 0, 10, put("x", "b"))];
  expect(check([...writes, op(2, 11, 12, get("x"), "a")])).toEqual({ ok: true });
  expect(check([...writes, op(2, 11, 12, get("x"), "b")])).toEqual({ ok: true });
  expect(check([...writes, op(2, 1, 2, get("x"), "b"), op(2, 3, 4, get("x"), "a")])).toEqual({ ok: true });
  expect(check([...writes, op(2, 1, 2, get("x"), "a"), op(2, 3, 4, get("x"), "b")])).toEqual({ ok: true });
  expect(check([...writes, op(2, 1, 2, get("x"), null), op(2, 3, 4, get("x"), "b")])).toEqual({ ok: true });
  expect(check([...writes, op(2, 11, 12, get("x"), null)]).ok).toBe(false);
});

test("a stale read is refused, with the longest linearizable prefix and the read that could not be placed", () => {
  const read = op(2, 6, 7, get("x"), "a");
  const result = check([op(0, 0, 1, put("x", "a")), op(1, 2, 3, put("x", "b")), read, op(0, 4, 9, get("x"), "b")]);
  if (result.ok !== false) throw new Error(`expected a violation, got ${JSON.stringify(result)}`);
  expect(result.partition).toBe("x");
  expect(result.unplaced).toBe(read);
  expect(result.state).toEqual({ x: "b" });
  expect(result.linearized.map((o) => o.input)).toEqual([put("x", "a"), put("x", "b"), get("x")]);
  expect(result.reason).toContain('put(x, "b") [2, 3]');
  expect(result.reason).toContain('the state is {x: "b"}, and client 2 get(x) → "a" [6, 7] returned before');
  expect(result.reason).toContain("its output is not legal in that state");
  expect(result.reason).toContain('client 0 get(x) → "b" [4, 9]');
});

test("a lost write is refused: a completed put never seen, later reads show the older value or none", () => {
  const older = [op(0, 0, 1, put("x", "a")), op(1, 2, 3, put("x", "b"))];
  expect(check([...older, op(2, 4, 5, get("x"), "a"), op(0, 6, 7, get("x"), "a")]).ok).toBe(false);
  expect(check([op(0, 0, 1, put("y", "a")), op(1, 2, 3, get("y"), null)]).ok).toBe(false);
  expect(check([op(0, 0, 3, put("y", "a")), op(1, 2, 3, get("y"), null)])).toEqual({ ok: true });
});

test("a read of a value never written is refused", () => {
  expect(check([op(0, 0, 1, put("x", "a")), op(1, 0, 5, get("x"), "zzz")]).ok).toBe(false);
  expect(check([op(1, 0, 5, get("fresh"), "a")]).ok).toBe(false);
});

test("a non-monotonic pair of reads is refused, the monotonic pair accepted", () => {
  const writes = [op(0, 0, 1, put("x", "a")), op(1, 2, 20, put("x", "b"))];
  expect(check([...writes, op(2, 3, 4, get("x"), "b"), op(2, 5, 6, get("x"), "a")]).ok).toBe(false);
  expect(check([...writes, op(2, 3, 4, get("x"), "b"), op(3, 5, 6, get("x"), "a")]).ok).toBe(false);
  expect(check([...writes, op(2, 3, 4, get("x"), "a"), op(2, 5, 6, get("x"), "b")])).toEqual({ ok: true });
});

test("a write that never returned may have taken effect or not, but only after its call and never undone", () => {
  const start = [op(0, 0, 1, put("x", "a")), op(1, 2, Infinity, put("x", "b"))];
  expect(check([...start, op(2, 5, 6, get("x"), "a"), op(2, 7, 8, get("x"), "a")])).toEqual({ ok: true });
  expect(check([...start, op(2, 5, 6, get("x"), "b"), op(2, 7, 8, get("x"), "b")])).toEqual({ ok: true });
  expect(check([...start, op(2, 5, 6, get("x"), "a"), op(2, 70, 80, get("x"), "b")])).toEqual({ ok: true });
  expect(check([...start, op(2, 5, 6, get("x"), "b"), op(2, 7, 8, get("x"), "a")]).ok).toBe(false);
  const late = [op(0, 0, 1, put("x", "a")), op(1, 10, Infinity, put("x", "b"))];
  expect(check([...late, op(2, 5, 6, get("x"), "b")]).ok).toBe(false);
  expect(check([...start, op(2, 5, Infinity, get("x"), "zzz")])).toEqual({ ok: true });
});

test("many writes that never returned, none of them read, do not make refusing a history slow", () => {
  const pending = Array.from({ length: 30 }, (_, i) => op(10 + i, 2 + i, Infinity, put("x", `w${i}`)));
  const history = [op(0, 0, 1, put("x", "a")), ...pending, op(1, 40, 41, put("x", "b")), op(2, 42, 43, get("x"), "a")];
  const started = performance.now();
  expect(check(history).ok).toBe(false);
  expect(performance.now() - started).toBeLessThan(500);
  expect(check([...history.slice(0, -1), op(2, 42, 43, get("x"), "b"), op(2, 44, 45, get("x"), "w7")])).toEqual({ ok: true });
});

test("which of two never-returned writes of one value took effect first matters, and both orders are tried", () => {
  const writes = [op(1, 0, Infinity, put("x", "a")), op(2, 1, Infinity, cas("x", null, "a"))];
  const history = [...writes, op(3, 2, 3, get("x"), "a"), op(3, 4, 5, put("x", "q")), op(3, 6, 7, get("x"), "a")];
  expect(check(history)).toEqual({ ok: true });
  expect(check([...history, op(3, 8, 9, put("x", "q")), op(3, 10, 11, get("x"), "a")]).ok).toBe(false);
});

test("compare-and-swap swaps only on the expected value; one that never returned may have swapped", () => {
  const a = op(0, 0, 1, put("x", "a"));
  expect(check([a, op(1, 2, 3, cas("x", "a", "b"), true), op(2, 4, 5, get("x"), "b")])).toEqual({ ok: true });
  expect(check([a, op(1, 2, 3, cas("x", "z", "b"), true)]).ok).toBe(false);
  expect(check([a, op(1, 2, 3, cas("x", "a", "b"), false)]).ok).toBe(false);
  expect(check([op(1, 0, 1, cas("x", null, "b"), true), op(2, 2, 3, get("x"), "b")])).toEqual({ ok: true });
  const pending = op(1, 2, Infinity, cas("x", "a", "b"));
  expect(check([a, pending, op(2, 4, 5, get("x"), "b")])).toEqual({ ok: true });
  expect(check([a, pending, op(2, 4, 5, get("x"), "a")])).toEqual({ ok: true });
  expect(check([a, pending, op(2, 4, 5, get("x"), "c")]).ok).toBe(false);
});

test("a delete makes later reads see no value", () => {
  const start = [op(0, 0, 1, put("x", "a")), op(0, 2, 3, del("x"))];
  expect(check([...start, op(1, 4, 5, get("x"), null)])).toEqual({ ok: true });
  expect(check([...start, op(1, 4, 5, get("x"), "a")]).ok).toBe(false);
  expect(check([...start, op(1, 2, 5, get("x"), "a")])).toEqual({ ok: true });
});

test("keys are checked apart, and the smallest bad key is the one reported", () => {
  const good = [op(0, 0, 1, put("y", "1")), op(1, 2, 3, get("y"), "1")];
  const bigBad = [op(0, 0, 1, put("x", "a")), op(1, 2, 3, put("x", "b")), op(2, 4, 5, get("x"), "a")];
  const smallBad = [op(0, 0, 1, put("z", "a")), op(2, 4, 5, get("z"), null)];
  const result = check([...bigBad, ...good, ...smallBad]);
  if (result.ok !== false) throw new Error("expected a violation");
  expect(result.partition).toBe("z");
  expect(result.history).toEqual(smallBad);
  expect(check([...good, op(2, 0, 9, put("w", "1")), op(0, 4, 5, get("w"), "1")])).toEqual({ ok: true });
});

test("a model without partition is checked as one history, described by default", () => {
  // A fetch-and-increment counter: each call returns the value before it.
  const counter: Model<number, "inc", number> = {
    init: () => 0,
    step: (state, _input, output) => ({ ok: typeof output !== "number" || output === state, next: state + 1 }),
    key: String,
  };
  const inc = (clientId: number, call: number, ret: number, output: number) => ({ clientId, input: "inc" as const, output, call, return: ret });
  expect(checkLinearizable(counter, [inc(0, 0, 5, 1), inc(1, 1, 4, 0), inc(2, 6, 7, 2)])).toEqual({ ok: true });
  const result = checkLinearizable(counter, [inc(0, 0, 5, 0), inc(1, 1, 4, 0)]);
  if (result.ok !== false) throw new Error("expected a violation");
  expect(result.partition).toBe("history");
  expect(result.reason).toContain('client 1 "inc" → 0 [1, 4]');
});

test("an operation returning before its call is refused as malformed", () => {
  expect(() => check([op(0, 5, 4, get("x"), null)])).toThrow(RangeError);
});

test("a search too large for its budget answers unknown instead of hanging", () => {
  const writes = (n: number) => Array.from({ length: n }, (_, i) => op(i, 0, 100, put("x", `v${i}`)));
  expect(check([...writes(8), op(99, 101, 102, get("x"), "never")]).ok).toBe(false);
  const started = performance.now();
  const result = checkLinearizable(kvModel, [...writes(40), op(99, 101, 102, get("x"), "never")], { timeoutMs: 100 });
  expect(result).toEqual({ ok: "unknown", reason: "timeout" });
  expect(performance.now() - started).toBeLessThan(1000);
});

test("a 3-client history of 1,000 operations on one key checks in well under a second", () => {
  const history = sampleHistory(7, 1000, 3, 1, 50);
  const started = performance.now();
  expect(check(history)).toEqual({ ok: true });
  expect(performance.now() - started).toBeLessThan(500);
});

test("a stale read among 1,000 operations, 1 in 20 of them never returned, is refused in well under a second", () => {
  const history = sampleHistory(12, 1000, 3, 1, 20);
  expect(check(history)).toEqual({ ok: true });
  expect(injectStaleRead(history.slice(history.length / 2))).not.toBeNull();
  const started = performance.now();
  expect(check(history).ok).toBe(false);
  expect(performance.now() - started).toBeLessThan(500);
});

test("5 keys × 3 clients × 400 operations check fast, and one stale read among them is caught", () => {
  const history = sampleHistory(11, 5 * 3 * 400, 3, 5, 100);
  let started = performance.now();
  expect(check(history)).toEqual({ ok: true });
  expect(performance.now() - started).toBeLessThan(1000);
  const stale = injectStaleRead(history.slice(history.length / 2));
  expect(stale).not.toBeNull();
  started = performance.now();
  const result = check(history);
  if (result.ok !== false) throw new Error("expected a violation");
  expect(result.partition).toBe(stale!.input.key);
  expect(result.unplaced.return).toBeLessThanOrEqual(stale!.return);
  expect(performance.now() - started).toBeLessThan(1000);
});
