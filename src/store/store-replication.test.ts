import { expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import type { ShoalError } from "../lib/index.ts";
import type { LogEntry } from "../raft/index.ts";
import { ClusterStore, type StoreApplyResult } from "./cluster-store.ts";
import { dataKeyCipher } from "./store-cipher.ts";
import * as fixtures from "./store-fixtures.ts";

/** A fake replicated log: each proposal becomes the next entry, applied on every replica in order. */
function replicated(count: number, options: { cipher?: ReturnType<typeof dataKeyCipher> } = {}) {
  const entries: LogEntry[] = [];
  const stores: ClusterStore[] = [];
  const append = (data: Uint8Array): StoreApplyResult[] => {
    const entry: LogEntry = { index: entries.length + 1, term: 1, kind: "normal", data };
    entries.push(entry);
    return stores.map((store) => store.apply(entry));
  };
  for (let i = 0; i < count; i++) {
    const position = i;
    stores.push(new ClusterStore({ ...options, propose: async (data) => append(data)[position] }));
  }
  return { stores, entries, append };
}

const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: ShoalError) => error);

test("one update is one proposal, whatever it changes", async () => {
  const { stores, entries } = replicated(1);
  await stores[0]!.update((tx) => {
    const web = tx.create("services", fixtures.service("web", { replicas: 2 }));
    tx.create("tasks", fixtures.task(web.ID, 1));
    tx.create("tasks", fixtures.task(web.ID, 2));
  });
  expect(entries.length).toBe(1);
  expect(stores[0]!.view((tx) => tx.find("tasks").map((t) => t.Version.Index))).toEqual([1, 1]);
});

test("two replicas applying the same entries hold the same state and give the same snapshot bytes", async () => {
  const { stores } = replicated(2);
  const [a, b] = stores as [ClusterStore, ClusterStore];
  const web = await a.update((tx) => tx.create("services", fixtures.service("web")));
  await b.update((tx) => tx.create("nodes", fixtures.node("h1")));
  await a.update((tx) => {
    const current = tx.get("services", web.ID)!;
    tx.update("services", { ...current, Spec: { ...current.Spec, Labels: { z: "1", a: "2" } } });
    tx.create("secrets", fixtures.secret("pw", "hunter2"));
  });
  expect(a.view((tx) => tx.find("services"))).toEqual(b.view((tx) => tx.find("services")));
  expect(a.index).toBe(3);
  expect(Buffer.from(a.snapshot()).equals(Buffer.from(b.snapshot()))).toBe(true);
});

test("an entry whose update became stale while it was proposed is refused on every replica, and nothing of it applies", async () => {
  const { stores, append } = replicated(2);
  const [a, b] = stores as [ClusterStore, ClusterStore];
  const web = await a.update((tx) => tx.create("services", fixtures.service("web")));
  // a's write passes its own checks, but another manager's write to the same service lands first.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  a.setProposer(async (data) => {
    await gate;
    return append(data)[0];
  });
  const stale = failure(
    a.update((tx) => {
      tx.create("configs", fixtures.config("c", "x"));
      const current = tx.get("services", web.ID)!;
      tx.update("services", { ...current, Spec: { ...current.Spec, Labels: { by: "a" } } });
    }),
  );
  await b.update((tx) => {
    const current = tx.get("services", web.ID)!;
    tx.update("services", { ...current, Spec: { ...current.Spec, Labels: { by: "b" } } });
  });
  release();
  const error = await stale;
  expect(error!.code).toBe("sequence_conflict");
  for (const store of [a, b]) {
    expect(store.view((tx) => tx.get("services", web.ID)!.Spec.Labels)).toEqual({ by: "b" });
    expect(store.view((tx) => tx.find("configs"))).toEqual([]);
    expect(store.index).toBe(3);
  }
});

test("a name taken by another manager's entry meanwhile is refused at apply", async () => {
  const { stores, append } = replicated(2);
  const [a, b] = stores as [ClusterStore, ClusterStore];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  a.setProposer(async (data) => (await gate, append(data)[0]));
  const late = failure(a.update((tx) => tx.create("networks", fixtures.network("net"))));
  await b.update((tx) => tx.create("networks", fixtures.network("net")));
  release();
  expect((await late)!.code).toBe("name_conflict");
  expect(a.view((tx) => tx.find("networks").length)).toBe(1);
});

test("a proposal that fails leaves the store unchanged", async () => {
  const store = new ClusterStore({ propose: () => Promise.reject(new Error("not the raft leader (the leader is b)")) });
  const watch = store.watch();
  const error = await failure(store.update((tx) => tx.create("services", fixtures.service("web"))));
  expect(error!.message).toBe("not the raft leader (the leader is b)");
  expect(store.view((tx) => tx.find("services"))).toEqual([]);
  expect(store.index).toBe(0);
  // Later updates still run.
  store.setProposer(null);
  await store.update((tx) => tx.create("services", fixtures.service("web")));
  expect((await watch.next()).value).toMatchObject({ kind: "create", table: "services" });
  watch.close();
});

test("snapshot then restore gives an equal store, and restoring into a used store reports the difference as events", async () => {
  const { stores } = replicated(1);
  const source = stores[0]!;
  const web = await source.update((tx) => tx.create("services", fixtures.service("web")));
  await source.update((tx) => {
    tx.create("tasks", fixtures.task(web.ID, 1));
    tx.create("secrets", fixtures.secret("pw", "hunter2"));
    tx.create("cluster", fixtures.cluster());
  });
  const snapshot = source.snapshot();
  const copy = new ClusterStore();
  await copy.update((tx) => tx.create("configs", { ...fixtures.config("old", "x"), ID: "gone" }));
  const watch = copy.watch({ kinds: ["create", "update", "delete", "commit"] });
  copy.restore(snapshot);
  expect(copy.index).toBe(source.index);
  for (const table of ["services", "tasks", "secrets", "cluster", "configs"] as const) {
    expect(copy.view((tx) => tx.find(table))).toEqual(source.view((tx) => tx.find(table)) as never);
  }
  expect(Buffer.from(copy.snapshot()).equals(Buffer.from(snapshot))).toBe(true);
  expect(copy.view((tx) => tx.getByName("services", "web")?.ID)).toBe(web.ID);
  const kinds: string[] = [];
  for (let i = 0; i < 6; i++) {
    const { value } = await watch.next();
    kinds.push(value!.kind === "commit" ? "commit" : `${value!.kind} ${value!.table}`);
  }
  // Table by table in definition order (cluster, nodes, services, tasks, networks, secrets, configs), then the commit.
  expect(kinds).toEqual(["create cluster", "create services", "create tasks", "create secrets", "delete configs", "commit"]);
  watch.close();
});

test("with a cipher, secret data is sealed in proposals and snapshots and readable after apply", async () => {
  const cipher = dataKeyCipher(randomBytes(32));
  const { stores, entries } = replicated(2, { cipher });
  const [a, b] = stores as [ClusterStore, ClusterStore];
  const plain = "correct horse battery staple";
  const base64 = Buffer.from(plain).toString("base64");
  const created = await a.update((tx) => tx.create("secrets", fixtures.secret("pw", plain)));
  await a.update((tx) => tx.create("configs", fixtures.config("cfg", "visible config")));
  const proposal = Buffer.from(entries[0]!.data);
  expect(proposal.includes(plain)).toBe(false);
  expect(proposal.includes(base64)).toBe(false);
  expect(proposal.includes("pw")).toBe(true); // the rest of the object stays readable
  expect(b.view((tx) => tx.get("secrets", created.ID)!.Spec.Data)).toBe(base64);
  const snapshot = Buffer.from(a.snapshot());
  expect(snapshot.includes(plain)).toBe(false);
  expect(snapshot.includes(base64)).toBe(false);
  const restored = new ClusterStore({ cipher });
  restored.restore(snapshot);
  expect(restored.view((tx) => tx.get("secrets", created.ID)!.Spec.Data)).toBe(base64);
  // Without the key the sealed data cannot be read.
  expect(() => new ClusterStore().restore(snapshot)).toThrow("needs the raft data key");
  expect(() => new ClusterStore({ cipher: dataKeyCipher(randomBytes(32)) }).restore(snapshot)).toThrow("fails authentication");
});

test("without a cipher, secret data is kept as it is", async () => {
  const { stores, entries } = replicated(1);
  await stores[0]!.update((tx) => tx.create("secrets", fixtures.secret("pw", "plain")));
  expect(Buffer.from(entries[0]!.data).includes(Buffer.from("plain").toString("base64"))).toBe(true);
});

test("property: any sequence of writes, refused or not, leaves replicas and a restored copy byte-identical", async () => {
  const fc = await import("fast-check");
  const op = fc.oneof(
    fc.record({ type: fc.constant("create" as const), name: fc.constantFrom("a", "b", "c", "A") }),
    fc.record({ type: fc.constant("label" as const), name: fc.constantFrom("a", "b", "c"), stale: fc.boolean() }),
    fc.record({ type: fc.constant("delete" as const), name: fc.constantFrom("a", "b", "c") }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 15 }), async (ops) => {
      const { stores } = replicated(2);
      const [a, b] = stores as [ClusterStore, ClusterStore];
      for (const step of ops) {
        await a
          .update((tx) => {
            const found = tx.getByName("configs", step.name);
            if (step.type === "create") tx.create("configs", fixtures.config(step.name, "x"));
            else if (found && step.type === "delete") tx.delete("configs", found.ID);
            else if (found && step.type === "label") {
              tx.update("configs", { ...found, Version: { Index: found.Version.Index - (step.stale ? 1 : 0) }, Spec: { ...found.Spec, Labels: { n: String(tx.find("configs").length) } } });
            }
          })
          .catch(() => undefined);
      }
      const copy = new ClusterStore();
      copy.restore(a.snapshot());
      expect(Buffer.from(b.snapshot()).equals(Buffer.from(a.snapshot()))).toBe(true);
      expect(copy.view((tx) => tx.find("configs"))).toEqual(a.view((tx) => tx.find("configs")));
    }),
    { numRuns: 50 },
  );
});
