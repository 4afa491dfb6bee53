import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { ShoalError } from "../lib/index.ts";
import { ClusterStore, dataKeyCipher } from "../store/index.ts";
import * as fixtures from "../store/store-fixtures.ts";
import type { Secret, Service } from "../types/index.ts";
import { SecretControl } from "./secret-control.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");

function setup() {
  const clock = new FakeClock();
  const store = new ClusterStore({ clock });
  return { clock, store, control: new SecretControl(store) };
}

/** What `fn` throws, as `code: message`. */
async function refusal(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ShoalError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("expected a refusal");
}

/** A service whose tasks use `secrets` (as `docker service create --secret NAME` stores it). */
async function serviceUsing(store: ClusterStore, name: string, secrets: Secret[]): Promise<Service> {
  const service = fixtures.service(name);
  service.Spec.TaskTemplate.ContainerSpec!.Secrets = secrets.map((secret) => ({
    SecretID: secret.ID,
    SecretName: secret.Spec.Name,
    File: { Name: secret.Spec.Name, UID: "0", GID: "0", Mode: 0o444 },
  }));
  return store.update((tx) => tx.create("services", service));
}

describe("SecretControl.create", () => {
  test("stores the spec and answers its ID; the data is kept, never shown", async () => {
    const { store, control, clock } = setup();
    const { ID } = await control.create({ Name: "pw", Labels: { env: "prod" }, Data: b64("hunter2") });
    expect(ID).toMatch(/^[0-9a-z]{25}$/);
    expect(store.view((tx) => tx.get("secrets", ID))!.Spec.Data).toBe(b64("hunter2"));
    const shown = control.inspect("pw");
    expect(shown).toEqual({
      ID,
      Version: { Index: store.index },
      CreatedAt: new Date(clock.now()).toISOString(),
      UpdatedAt: new Date(clock.now()).toISOString(),
      Spec: { Name: "pw", Labels: { env: "prod" } },
    });
    // moby's field order, which `docker secret inspect` prints as it comes.
    expect(Object.keys(shown)).toEqual(["ID", "Version", "CreatedAt", "UpdatedAt", "Spec"]);
    expect(JSON.stringify(control.list({}))).not.toContain(b64("hunter2"));
  });

  test("a taken name (in any case) is refused with the store's AlreadyExists text", async () => {
    const { control } = setup();
    await control.create({ Name: "pw", Data: b64("a") });
    expect(await refusal(() => control.create({ Name: "pw", Data: b64("b") }))).toBe("name_conflict: rpc error: code = AlreadyExists desc = secret pw already exists");
    expect(await refusal(() => control.create({ Name: "PW", Data: b64("b") }))).toBe("name_conflict: rpc error: code = AlreadyExists desc = secret PW already exists");
  });

  test("an invalid spec is refused before anything is proposed", async () => {
    const { control, store } = setup();
    expect(await refusal(() => control.create({ Name: "-pw", Data: b64("a") }))).toStartWith("invalid_argument: rpc error: code = InvalidArgument desc = invalid name");
    expect(await refusal(() => control.create({ Name: "pw" }))).toBe("invalid_argument: rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than 512000 bytes");
    expect(store.index).toBe(0);
  });

  test("with a cipher the data is sealed in the proposal and plain again once applied", async () => {
    const proposals: Uint8Array[] = [];
    const store: ClusterStore = new ClusterStore({
      clock: new FakeClock(),
      cipher: dataKeyCipher(new Uint8Array(32).fill(7)),
      propose: async (bytes) => {
        proposals.push(bytes);
        return store.apply({ index: proposals.length, term: 1, kind: "normal", data: bytes });
      },
    });
    const { ID } = await new SecretControl(store).create({ Name: "pw", Data: b64("hunter2-sealed") });
    expect(Buffer.from(proposals[0]!).includes(Buffer.from(b64("hunter2-sealed")))).toBe(false);
    expect(store.view((tx) => tx.get("secrets", ID))!.Spec.Data).toBe(b64("hunter2-sealed"));
  });
});

describe("SecretControl.list", () => {
  async function three() {
    const { control } = setup();
    const a = await control.create({ Name: "db-password", Labels: { app: "db", tier: "back" }, Data: b64("1") });
    const b = await control.create({ Name: "db-user", Labels: { app: "db" }, Data: b64("2") });
    const c = await control.create({ Name: "web-cert", Labels: { app: "web" }, Data: b64("3") });
    const names = (filters: Record<string, string[]>) =>
      control
        .list(filters)
        .map((secret) => secret.Spec.Name)
        .sort();
    return { control, names, ids: [a.ID, b.ID, c.ID] };
  }

  test("name is a prefix (case-insensitive), names exact, id an ID prefix; any of them passes", async () => {
    const { names, ids } = await three();
    expect(names({})).toEqual(["db-password", "db-user", "web-cert"]);
    expect(names({ name: ["db"] })).toEqual(["db-password", "db-user"]);
    expect(names({ name: ["DB-U"] })).toEqual(["db-user"]);
    expect(names({ names: ["db"] })).toEqual([]);
    expect(names({ names: ["DB-USER", "web-cert"] })).toEqual(["db-user", "web-cert"]);
    expect(names({ id: [ids[2]!.slice(0, 8)] })).toEqual(["web-cert"]);
    expect(names({ names: ["web-cert"], name: ["db-p"] })).toEqual(["db-password", "web-cert"]);
  });

  test("label filters: every key must be present, key=value must match", async () => {
    const { names } = await three();
    expect(names({ label: ["app"] })).toEqual(["db-password", "db-user", "web-cert"]);
    expect(names({ label: ["app=db"] })).toEqual(["db-password", "db-user"]);
    expect(names({ label: ["app=db", "tier"] })).toEqual(["db-password"]);
    expect(names({ label: ["app=web"], name: ["db"] })).toEqual([]);
  });

  test("an unknown filter is refused in moby's words; no secret carries data", async () => {
    const { control } = await three();
    expect(await refusal(() => control.list({ driver: ["x"] }))).toBe("invalid_argument: invalid filter 'driver'");
    expect(control.list({}).every((secret) => secret.Spec.Data === undefined)).toBe(true);
  });
});

describe("SecretControl.inspect", () => {
  test("by ID, name or unique ID prefix; missing and ambiguous references in moby's words", async () => {
    const { control, store } = setup();
    const { ID } = await control.create({ Name: "pw", Data: b64("a") });
    expect(control.inspect(ID).Spec.Name).toBe("pw");
    expect(control.inspect(ID.slice(0, 5)).ID).toBe(ID);
    expect(await refusal(() => control.inspect("nope"))).toBe("not_found: secret nope not found");
    await store.update((tx) => {
      tx.create("secrets", { ID: "aaa1", ...fixtures.secret("s1", "x") });
      tx.create("secrets", { ID: "aaa2", ...fixtures.secret("s2", "x") });
    });
    expect(await refusal(() => control.inspect("aaa"))).toBe("invalid_argument: secret aaa is ambiguous (2 matches found)");
  });
});

describe("SecretControl.update", () => {
  test("replaces the labels at the version read; the rest stays", async () => {
    const { control, store } = setup();
    const { ID } = await control.create({ Name: "pw", Labels: { a: "1" }, Data: b64("hunter2") });
    const version = control.inspect(ID).Version.Index;
    await control.update("pw", version, { Name: "pw", Labels: { b: "2" } });
    const stored = store.view((tx) => tx.get("secrets", ID))!;
    expect(stored.Spec).toEqual({ Name: "pw", Labels: { b: "2" }, Data: b64("hunter2") });
    expect(stored.Version.Index).toBeGreaterThan(version);
  });

  test("a new name or new data, a stale version and a missing secret are refused", async () => {
    const { control } = setup();
    const { ID } = await control.create({ Name: "pw", Data: b64("hunter2") });
    const version = control.inspect(ID).Version.Index;
    const onlyLabels = "invalid_argument: rpc error: code = InvalidArgument desc = only updates to Labels are allowed";
    expect(await refusal(() => control.update(ID, version, { Name: "pw2" }))).toBe(onlyLabels);
    expect(await refusal(() => control.update(ID, version, { Name: "pw", Data: b64("other") }))).toBe(onlyLabels);
    await control.update(ID, version, { Name: "pw", Data: b64("hunter2"), Labels: { x: "" } });
    expect(await refusal(() => control.update(ID, version, { Name: "pw", Labels: {} }))).toBe("sequence_conflict: rpc error: code = Unknown desc = update out of sequence");
    expect(await refusal(() => control.update("ghost", 1, { Name: "ghost" }))).toBe("not_found: secret ghost not found");
  });
});

describe("SecretControl.remove", () => {
  test("refused while a service uses the secret, naming the services; allowed once they are gone", async () => {
    const { control, store } = setup();
    await control.create({ Name: "pw", Data: b64("hunter2") });
    const secret = store.view((tx) => tx.getByName("secrets", "pw"))!;
    const web = await serviceUsing(store, "web", [secret]);
    expect(await refusal(() => control.remove("pw"))).toBe("invalid_argument: rpc error: code = InvalidArgument desc = secret 'pw' is in use by the following service: web");
    const api = await serviceUsing(store, "api", [secret]);
    const both = await refusal(() => control.remove(secret.ID));
    expect(both).toMatch(/^invalid_argument: rpc error: code = InvalidArgument desc = secret 'pw' is in use by the following services: (web, api|api, web)$/);
    await store.update((tx) => {
      tx.delete("services", web.ID);
      tx.delete("services", api.ID);
    });
    await control.remove("pw");
    expect(control.list({})).toEqual([]);
    expect(await refusal(() => control.remove("pw"))).toBe("not_found: secret pw not found");
  });

  test("a service using another secret does not hold this one", async () => {
    const { control, store } = setup();
    await control.create({ Name: "a", Data: b64("1") });
    await control.create({ Name: "b", Data: b64("2") });
    await serviceUsing(store, "web", [store.view((tx) => tx.getByName("secrets", "a"))!]);
    await control.remove("b");
    expect(control.list({}).map((secret) => secret.Spec.Name)).toEqual(["a"]);
  });
});
