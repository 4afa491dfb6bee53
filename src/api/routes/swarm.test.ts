import { describe, expect, test } from "bun:test";
import { emptyEngine, fixedSystem, noImages } from "../../../test/support/fixtures.ts";
import { ShoalError, silentLogger } from "../../lib/index.ts";
import {
  ALREADY_IN_SWARM_MESSAGE,
  INVALID_KEY_PROVIDED_MESSAGE,
  LEAVE_LAST_MANAGER_MESSAGE,
  NOT_A_MANAGER_MESSAGE,
  SWARM_NOT_LOCKED_MESSAGE,
  checkUnlockKeyText,
  filterNodes,
  invalidUnlockKeyError,
  unlockRefusal,
} from "../../manager/index.ts";
import { SWARM_LOCKED_MESSAGE, swarmLockedError } from "../../pki/index.ts";
import type { Node, Swarm } from "../../types/index.ts";
import type { SwarmInitRequest, SwarmJoinRequest, SwarmSource } from "../api-env.ts";
import { createApi } from "../app.ts";

const NODE: Node = {
  ID: "n0den0den0den0den0den0de1",
  Version: { Index: 3 },
  CreatedAt: "2026-11-28T00:00:00Z",
  UpdatedAt: "2026-11-28T00:00:00Z",
  Spec: { Labels: {}, Role: "manager", Availability: "active" },
  Description: { Hostname: "manager1", Platform: { Architecture: "x86_64", OS: "linux" }, Resources: { NanoCPUs: 2e9, MemoryBytes: 1 << 30 }, Engine: { EngineVersion: "0.1.0" } },
  Status: { State: "ready", Addr: "127.0.0.1" },
  ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "127.0.0.1:2377" },
};

/** The `message` of a Docker-style JSON error. */
async function message(response: Response): Promise<string> {
  return ((await response.json()) as { message: string }).message;
}

const UNLOCK_KEY = "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8";

function notFound(kind: string, ref: string): never {
  throw new ShoalError("not_found", `${kind} ${ref} not found`);
}

/** A SwarmSource in memory: init records the request and makes one node; leave needs force; `lock()` locks it (autolock). */
function fakeSwarm() {
  const requests: SwarmInitRequest[] = [];
  const updates: unknown[] = [];
  const joins: SwarmJoinRequest[] = [];
  let active = false;
  let locked = false;
  const manager = () => {
    if (locked) throw swarmLockedError();
    if (!active) throw new ShoalError("unavailable", NOT_A_MANAGER_MESSAGE);
  };
  const source: SwarmSource = {
    info: () => ({ NodeID: active ? NODE.ID : "", NodeAddr: "", LocalNodeState: active ? "active" : "inactive", ControlAvailable: active, Error: "", RemoteManagers: null }),
    async init(request) {
      if (active) throw new ShoalError("unavailable", ALREADY_IN_SWARM_MESSAGE);
      if (request.ListenAddr === "bogus:x") throw new ShoalError("invalid_argument", "listen address must be an IP address or network interface (with optional port number)");
      requests.push(request);
      active = true;
      return NODE.ID;
    },
    async join(request) {
      if (active) throw new ShoalError("unavailable", ALREADY_IN_SWARM_MESSAGE);
      joins.push(request);
    },
    inspect: () => (manager(), { ID: "c1", JoinTokens: { Worker: "SWMTKN-1-w", Manager: "SWMTKN-1-m" } } as Swarm),
    async leave(force) {
      manager();
      if (!force) throw new ShoalError("unavailable", LEAVE_LAST_MANAGER_MESSAGE);
      active = false;
    },
    nodes: (filters) => (manager(), filterNodes([NODE], filters)),
    node: (ref) => {
      manager();
      if (ref === NODE.ID || ref === "manager1") return NODE;
      throw new ShoalError("not_found", `node ${ref} not found`);
    },
    async updateNode(ref, version, spec) {
      manager();
      updates.push({ node: ref, version, spec });
    },
    async removeNode(ref, force) {
      manager();
      updates.push({ remove: ref, force });
    },
    async update(version, spec, rotate) {
      manager();
      updates.push({ swarm: version, spec, rotate });
    },
    unlockKey: () => (manager(), UNLOCK_KEY),
    async unlock(key) {
      if (!locked) throw unlockRefusal(active ? "manager" : "none");
      if (checkUnlockKeyText(key) !== UNLOCK_KEY) throw invalidUnlockKeyError();
      [locked, active] = [false, true];
    },
    // The service and task routes have their own tests (services.test.ts).
    services: () => (manager(), []),
    service: (ref) => (manager(), notFound("service", ref)),
    createService: async () => (manager(), { ID: "s1" }),
    updateService: async () => (manager(), {}),
    removeService: async () => manager(),
    tasks: () => (manager(), []),
    task: (ref) => (manager(), notFound("task", ref)),
    serviceLogs: () => (manager(), (async function* () {})()),
    // The secret and config routes have their own tests (secrets.test.ts).
    secrets: () => (manager(), []),
    secret: (ref) => (manager(), notFound("secret", ref)),
    createSecret: async () => (manager(), { ID: "x1" }),
    updateSecret: async () => manager(),
    removeSecret: async () => manager(),
    configs: () => (manager(), []),
    config: (ref) => (manager(), notFound("config", ref)),
    createConfig: async () => (manager(), { ID: "c1" }),
    updateConfig: async () => manager(),
    removeConfig: async () => manager(),
  };
  const api = createApi({ system: fixedSystem(), images: noImages(), ...emptyEngine(), swarm: source, logger: silentLogger });
  const call = (method: string, path: string, body?: unknown) =>
    api.request(path, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  const lock = () => ([locked, active] = [true, false]);
  return { requests, updates, joins, call, lock };
}

describe("swarm routes", () => {
  test("POST /swarm/join passes the checked request on; a missing token or manager address is 400", async () => {
    const { joins, call } = fakeSwarm();
    const body = { ListenAddr: "0.0.0.0:2377", AdvertiseAddr: "", RemoteAddrs: ["10.0.0.1:2377"], JoinToken: " SWMTKN-1-abc ", Availability: "Active" };
    expect((await call("POST", "/v1.51/swarm/join", body)).status).toBe(200);
    expect(joins).toEqual([{ ListenAddr: "0.0.0.0:2377", AdvertiseAddr: "", DataPathAddr: "", RemoteAddrs: ["10.0.0.1:2377"], JoinToken: "SWMTKN-1-abc", Availability: "active" }]);
    expect((await call("POST", "/swarm/join", { ...body, JoinToken: "" })).status).toBe(400);
    expect((await call("POST", "/swarm/join", { ...body, RemoteAddrs: [] })).status).toBe(400);
    expect((await call("POST", "/swarm/join", { ...body, RemoteAddrs: "10.0.0.1:2377" })).status).toBe(400);
  });

  test("POST /swarm/init answers the node ID as a JSON string and passes the checked request on", async () => {
    const { requests, call } = fakeSwarm();
    const response = await call("POST", "/v1.51/swarm/init", { ListenAddr: "127.0.0.1:4000", AdvertiseAddr: "127.0.0.1", Spec: { Orchestration: { TaskHistoryRetentionLimit: 3 } }, Availability: "drain" });
    expect(response.status).toBe(200);
    expect(await response.json()).toBe(NODE.ID);
    expect(requests).toEqual([
      {
        ListenAddr: "127.0.0.1:4000",
        AdvertiseAddr: "127.0.0.1",
        DataPathAddr: "",
        DataPathPort: 0,
        ForceNewCluster: false,
        Spec: { Orchestration: { TaskHistoryRetentionLimit: 3 } },
        AutoLockManagers: false,
        Availability: "drain",
        DefaultAddrPool: [],
        SubnetSize: 0,
      },
    ]);
  });

  test("a second init is 503 with docker's text; bad fields are 400", async () => {
    const { call } = fakeSwarm();
    expect((await call("POST", "/swarm/init", { ListenAddr: "bogus:x" })).status).toBe(400);
    const badPool = await call("POST", "/swarm/init", { DefaultAddrPool: ["10.0.0.0/99"] });
    expect([badPool.status, await message(badPool)]).toEqual([400, 'invalid default address pool "10.0.0.0/99": give IPv4 CIDRs such as 10.0.0.0/8']);
    expect((await call("POST", "/swarm/init", { Availability: "sleepy" })).status).toBe(400);
    expect((await call("POST", "/swarm/init", {})).status).toBe(200);
    const again = await call("POST", "/swarm/init", {});
    expect(again.status).toBe(503);
    expect(again.headers.get("Content-Type")).toBe("application/json");
    expect(await message(again)).toBe(ALREADY_IN_SWARM_MESSAGE);
  });

  test("GET /swarm is 503 outside a swarm and shows the join tokens inside one", async () => {
    const { call } = fakeSwarm();
    const outside = await call("GET", "/v1.51/swarm");
    expect([outside.status, await message(outside)]).toEqual([503, NOT_A_MANAGER_MESSAGE]);
    await call("POST", "/swarm/init", {});
    expect(((await (await call("GET", "/v1.51/swarm")).json()) as Swarm).JoinTokens).toEqual({ Worker: "SWMTKN-1-w", Manager: "SWMTKN-1-m" });
  });

  test("POST /swarm/leave needs force on the last manager", async () => {
    const { call } = fakeSwarm();
    await call("POST", "/swarm/init", {});
    const refused = await call("POST", "/swarm/leave");
    expect([refused.status, await message(refused)]).toEqual([503, LEAVE_LAST_MANAGER_MESSAGE]);
    expect((await call("POST", "/swarm/leave?force=1")).status).toBe(200);
    expect((await call("GET", "/swarm")).status).toBe(503);
  });
});

describe("node routes", () => {
  test("GET /nodes lists with docker's filters in either encoding; GET /nodes/{id} by ID or hostname", async () => {
    const { call } = fakeSwarm();
    expect((await call("GET", "/nodes")).status).toBe(503);
    await call("POST", "/swarm/init", {});
    expect(await (await call("GET", "/v1.51/nodes")).json()).toEqual([NODE]);
    const role = encodeURIComponent(JSON.stringify({ role: { worker: true } }));
    expect(await (await call("GET", `/v1.51/nodes?filters=${role}`)).json()).toEqual([]);
    const name = encodeURIComponent(JSON.stringify({ name: ["mana"] }));
    expect(await (await call("GET", `/v1.51/nodes?filters=${name}`)).json()).toEqual([NODE]);
    const unknown = await call("GET", `/v1.51/nodes?filters=${encodeURIComponent(JSON.stringify({ colour: ["red"] }))}`);
    expect([unknown.status, await message(unknown)]).toEqual([400, "invalid filter 'colour'"]);
    expect(((await (await call("GET", "/v1.51/nodes/manager1")).json()) as Node).ID).toBe(NODE.ID);
    const missing = await call("GET", "/v1.51/nodes/nope");
    expect([missing.status, await message(missing)]).toEqual([404, "node nope not found"]);
  });
});

describe("updates", () => {
  test("node update, node rm and swarm update pass the version, the spec and the flags; a missing version is refused", async () => {
    const { call, updates } = fakeSwarm();
    await call("POST", "/swarm/init", { ListenAddr: "0.0.0.0:2377" });
    expect((await call("POST", "/nodes/manager1/update?version=12", { Role: "manager", Availability: "drain" })).status).toBe(200);
    expect((await call("DELETE", "/nodes/w1?force=1")).status).toBe(200);
    expect((await call("POST", "/swarm/update?version=7&rotateWorkerToken=true", { Name: "default" })).status).toBe(200);
    expect(updates).toEqual([
      { node: "manager1", version: 12, spec: { Role: "manager", Availability: "drain" } },
      { remove: "w1", force: true },
      { swarm: 7, spec: { Name: "default" }, rotate: { worker: true, manager: false, managerUnlockKey: false } },
    ]);
    const missing = await call("POST", "/nodes/manager1/update", { Role: "manager" });
    expect(missing.status).toBe(400);
    expect(await message(missing)).toContain("give the Version.Index you read");
    expect(updates.length).toBe(3);
  });
});

describe("autolock", () => {
  test("GET /swarm/unlockkey answers the key; swarm update passes rotateManagerUnlockKey on", async () => {
    const { call, updates } = fakeSwarm();
    const outside = await call("GET", "/v1.51/swarm/unlockkey");
    expect([outside.status, await message(outside)]).toEqual([503, NOT_A_MANAGER_MESSAGE]);
    await call("POST", "/swarm/init", {});
    expect(await (await call("GET", "/v1.51/swarm/unlockkey")).json()).toEqual({ UnlockKey: UNLOCK_KEY });
    expect((await call("POST", "/swarm/update?version=3&rotateManagerUnlockKey=true", { Name: "default" })).status).toBe(200);
    expect(updates).toEqual([{ swarm: 3, spec: { Name: "default" }, rotate: { worker: false, manager: false, managerUnlockKey: true } }]);
  });

  test("a locked manager refuses swarm and node calls with docker's text until POST /swarm/unlock gets the right key", async () => {
    const { call, lock } = fakeSwarm();
    await call("POST", "/swarm/init", {});
    const active = await call("POST", "/swarm/unlock", { UnlockKey: UNLOCK_KEY });
    expect([active.status, await message(active)]).toEqual([400, SWARM_NOT_LOCKED_MESSAGE]);
    lock();
    for (const path of ["/v1.51/nodes", "/v1.51/swarm", "/v1.51/swarm/unlockkey"]) {
      const refused = await call("GET", path);
      expect([refused.status, await message(refused)]).toEqual([503, SWARM_LOCKED_MESSAGE]);
    }
    const malformed = await call("POST", "/swarm/unlock", { UnlockKey: "not-a-key" });
    expect([malformed.status, await message(malformed)]).toEqual([400, "invalid key string"]);
    const missing = await call("POST", "/swarm/unlock", {});
    expect([missing.status, await message(missing)]).toEqual([400, "invalid key string"]);
    expect((await call("POST", "/swarm/unlock", { UnlockKey: 7 })).status).toBe(400);
    const wrong = await call("POST", "/swarm/unlock", { UnlockKey: "SWMKEY-1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    expect([wrong.status, await message(wrong)]).toEqual([403, INVALID_KEY_PROVIDED_MESSAGE]);
    expect((await call("GET", "/nodes")).status).toBe(503);
    expect((await call("POST", "/v1.51/swarm/unlock", { UnlockKey: UNLOCK_KEY })).status).toBe(200);
    expect((await call("GET", "/nodes")).status).toBe(200);
  });
});
