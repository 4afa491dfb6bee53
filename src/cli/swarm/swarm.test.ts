import { afterEach, beforeEach, expect, test } from "bun:test";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";
import { nodeAddrFlag } from "./swarm-flags.ts";

const NODE_ID = "k1n9ml4rb3ycxm8fzr1cz3eg7";
const WORKER_TOKEN = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx";
const MANAGER_TOKEN = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-7p73s1dx5in4tatdymyhg9hu2";
const TRUST_ROOT = "-----BEGIN CERTIFICATE-----\nMIIBazCCARCgAwIBAgIUJ\n-----END CERTIFICATE-----\n";

/** A spec as our daemon returns it from `GET /swarm`, with a field docker's types do not know. */
const SPEC = {
  Name: "default",
  Labels: {},
  Orchestration: { TaskHistoryRetentionLimit: 5 },
  Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
  Dispatcher: { HeartbeatPeriod: 5_000_000_000 },
  CAConfig: { NodeCertExpiry: 7_776_000_000_000_000 },
  TaskDefaults: {},
  EncryptionConfig: { AutoLockManagers: false },
  Unknown: true,
};

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  daemon.on("GET", "/swarm", () => ({
    ID: "cluster1",
    Version: { Index: 11 },
    Spec: SPEC,
    TLSInfo: { TrustRoot: TRUST_ROOT, CertIssuerSubject: "MBMxETAPBgNVBAMTCHN3YXJtLWNh", CertIssuerPublicKey: "MFkwEwYH" },
    RootRotationInProgress: false,
    JoinTokens: { Worker: WORKER_TOKEN, Manager: MANAGER_TOKEN },
  }));
  daemon.on("GET", `/nodes/${NODE_ID}`, () => ({ ID: NODE_ID, Version: { Index: 9 }, Spec: { Role: "manager", Availability: "active" }, Status: { State: "ready" }, ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "10.99.0.11:2377" } }));
  daemon.on("GET", "/info", () => ({ Swarm: { NodeID: NODE_ID, LocalNodeState: "active", ControlAvailable: true } }));
  daemon.on("GET", "/swarm/unlockkey", () => ({ UnlockKey: "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8" }));
});
afterEach(async () => daemon.close());

test("swarm init sends docker's exact body and prints the join command", async () => {
  daemon.on("POST", "/swarm/init", () => NODE_ID);
  const result = await runShoal(daemon.host, ["swarm", "init", "--advertise-addr", "10.99.0.11"]);
  expect(result.exitCode).toBe(0);
  expect(daemon.requests.find((request) => request.path === "/swarm/init")!.body).toBe(
    '{"ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"10.99.0.11","DataPathAddr":"","DataPathPort":0,"ForceNewCluster":false,' +
      '"Spec":{"Labels":null,"Orchestration":{},"Raft":{"ElectionTick":0,"HeartbeatTick":0},"Dispatcher":{},"CAConfig":{},"TaskDefaults":{},"EncryptionConfig":{"AutoLockManagers":false}},' +
      '"AutoLockManagers":false,"Availability":"","DefaultAddrPool":[],"SubnetSize":24}',
  );
  expect(result.stdout).toBe(
    `Swarm initialized: current node (${NODE_ID}) is now a manager.\n\n` +
      "To add a worker to this swarm, run the following command:\n\n" +
      `    shoal swarm join --token ${WORKER_TOKEN} 10.99.0.11:2377\n\n` +
      "To add a manager to this swarm, run 'shoal swarm join-token manager' and follow the instructions.\n",
  );
  expect(daemon.calls()).toEqual(["POST /swarm/init", `GET /nodes/${NODE_ID}`, "GET /swarm"]);
});

test("swarm init puts the given settings in the spec and prints the unlock key with --autolock", async () => {
  daemon.on("POST", "/swarm/init", () => NODE_ID);
  const result = await runShoal(daemon.host, [
    "swarm", "init", "--listen-addr", "eth0", "--data-path-port", "7789", "--default-addr-pool", "10.20.1.5/16,10.30.0.0/16",
    "--default-addr-pool-mask-length", "26", "--force-new-cluster", "--autolock", "--availability", "DRAIN",
    "--cert-expiry", "720h", "--dispatcher-heartbeat", "10s", "--task-history-limit", "2",
  ]);
  expect(result.stderr).toBe("");
  const body = JSON.parse(daemon.requests.find((request) => request.path === "/swarm/init")!.body);
  expect(body).toEqual({
    ListenAddr: "eth0:2377",
    AdvertiseAddr: "",
    DataPathAddr: "",
    DataPathPort: 7789,
    ForceNewCluster: true,
    Spec: {
      Labels: null,
      Orchestration: { TaskHistoryRetentionLimit: 2 },
      Raft: { ElectionTick: 0, HeartbeatTick: 0 },
      Dispatcher: { HeartbeatPeriod: 10_000_000_000 },
      CAConfig: { NodeCertExpiry: 2_592_000_000_000_000 },
      TaskDefaults: {},
      EncryptionConfig: { AutoLockManagers: true },
    },
    AutoLockManagers: true,
    Availability: "drain",
    DefaultAddrPool: ["10.20.0.0/16", "10.30.0.0/16"],
    SubnetSize: 26,
  });
  expect(result.stdout).toEndWith(
    "To add a manager to this swarm, run 'shoal swarm join-token manager' and follow the instructions.\n" +
      "To unlock a swarm manager after it restarts, run the `shoal swarm unlock`\ncommand and provide the following key:\n\n" +
      "    SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8\n\n" +
      "Remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.\n",
  );
  expect(daemon.calls().at(-1)).toBe("GET /swarm/unlockkey");
});

test("swarm init refuses bad flag values before sending anything", async () => {
  const availability = await runShoal(daemon.host, ["swarm", "init", "--availability", "sleepy"]);
  expect(availability).toMatchObject({ exitCode: 1, stderr: 'invalid availability "sleepy", only active, pause and drain are supported\n' });
  const duration = await runShoal(daemon.host, ["swarm", "init", "--cert-expiry", "90d"]);
  expect(duration.exitCode).toBe(125);
  expect(duration.stderr).toBe(`invalid argument "90d" for "--cert-expiry" flag: time: invalid duration "90d"\nSee 'shoal swarm init --help'.\n`);
  const pool = await runShoal(daemon.host, ["swarm", "init", "--default-addr-pool", "10.0.0.0"]);
  expect(pool.stderr).toStartWith(`invalid argument "10.0.0.0" for "--default-addr-pool" flag: invalid string being converted to CIDR: 10.0.0.0`);
  const listen = await runShoal(daemon.host, ["swarm", "init", "--listen-addr", "udp://1.2.3.4"]);
  expect(listen.stderr).toStartWith(`invalid argument "udp://1.2.3.4" for "--listen-addr" flag: invalid proto, expected tcp: udp://1.2.3.4`);
  expect(daemon.calls()).toEqual([]);
});

test("swarm init prints the daemon's error and exits 1", async () => {
  daemon.on("POST", "/swarm/init", (_request, res) => jsonError(res, 503, 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.'));
  const result = await runShoal(daemon.host, ["swarm", "init"]);
  expect(result).toMatchObject({ exitCode: 1, stdout: "" });
  expect(result.stderr).toBe('Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.\n');
  daemon.on("POST", "/swarm/init", (_request, res) => jsonError(res, 400, "could not choose an IP address to advertise since this system has multiple addresses"));
  expect((await runShoal(daemon.host, ["swarm", "init"])).stderr).toBe(
    "Error response from daemon: could not choose an IP address to advertise since this system has multiple addresses - specify one with --advertise-addr\n",
  );
});

test("swarm join sends docker's body and says in which role the node joined", async () => {
  daemon.on("POST", "/swarm/join", () => undefined);
  daemon.on("GET", "/info", () => ({ Swarm: { NodeID: "w1", LocalNodeState: "active", ControlAvailable: false } }));
  const worker = await runShoal(daemon.host, ["swarm", "join", "--token", WORKER_TOKEN, "--availability", "pause", "10.99.0.11:2377"]);
  expect(worker.stdout).toBe("This node joined a swarm as a worker.\n");
  expect(daemon.requests.find((request) => request.path === "/swarm/join")!.body).toBe(
    `{"ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"","DataPathAddr":"","RemoteAddrs":["10.99.0.11:2377"],"JoinToken":"${WORKER_TOKEN}","Availability":"pause"}`,
  );
  daemon.on("GET", "/info", () => ({ Swarm: { NodeID: "m2", LocalNodeState: "active", ControlAvailable: true } }));
  expect((await runShoal(daemon.host, ["swarm", "join", "--token", MANAGER_TOKEN, "10.99.0.11:2377"])).stdout).toBe("This node joined a swarm as a manager.\n");
  daemon.on("POST", "/swarm/join", (_request, res) => jsonError(res, 400, "rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster"));
  const refused = await runShoal(daemon.host, ["swarm", "join", "--token", "SWMTKN-1-bad", "10.99.0.11:2377"]);
  expect(refused).toMatchObject({ exitCode: 1, stdout: "", stderr: "Error response from daemon: rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster\n" });
});

test("swarm join-token prints the token or the join command, rotating first with --rotate", async () => {
  expect((await runShoal(daemon.host, ["swarm", "join-token", "-q", "worker"])).stdout).toBe(`${WORKER_TOKEN}\n`);
  expect(daemon.calls()).toEqual(["GET /swarm"]);
  expect((await runShoal(daemon.host, ["swarm", "join-token", "manager"])).stdout).toBe(
    `To add a manager to this swarm, run the following command:\n\n    shoal swarm join --token ${MANAGER_TOKEN} 10.99.0.11:2377\n\n`,
  );
  daemon.on("POST", "/swarm/update", () => undefined);
  const rotated = await runShoal(daemon.host, ["swarm", "join-token", "--rotate", "worker"]);
  expect(rotated.stdout).toStartWith("Successfully rotated worker join token.\n\nTo add a worker to this swarm");
  expect(daemon.calls()).toContain("POST /swarm/update?rotateManagerToken=false&rotateManagerUnlockKey=false&rotateWorkerToken=true&version=11");
  expect(await runShoal(daemon.host, ["swarm", "join-token", "boss"])).toMatchObject({ exitCode: 1, stderr: "unknown role boss\n" });
});

test("swarm update sends the whole current spec with the flags applied, at the swarm's version", async () => {
  daemon.on("POST", "/swarm/update", () => undefined);
  const result = await runShoal(daemon.host, ["swarm", "update", "--task-history-limit", "10", "--dispatcher-heartbeat", "7s", "--autolock=true"]);
  expect(result.stdout).toStartWith("Swarm updated.\nTo unlock a swarm manager after it restarts");
  const update = daemon.requests.find((request) => request.path === "/swarm/update")!;
  expect(update.query.toString()).toBe("rotateManagerToken=false&rotateManagerUnlockKey=false&rotateWorkerToken=false&version=11");
  expect(update.body).toBe(
    '{"Name":"default","Labels":{},"Orchestration":{"TaskHistoryRetentionLimit":10},' +
      '"Raft":{"SnapshotInterval":10000,"KeepOldSnapshots":0,"LogEntriesForSlowFollowers":500,"ElectionTick":10,"HeartbeatTick":1},' +
      '"Dispatcher":{"HeartbeatPeriod":7000000000},"CAConfig":{"NodeCertExpiry":7776000000000000},"TaskDefaults":{},"EncryptionConfig":{"AutoLockManagers":true}}',
  );
  expect(daemon.calls()).toEqual(["GET /swarm", expect.stringMatching(/^POST \/swarm\/update/), "GET /swarm/unlockkey"]);
  const before = daemon.calls().length;
  expect((await runShoal(daemon.host, ["swarm", "update", "--autolock=maybe"])).exitCode).toBe(125);
  const help = await runShoal(daemon.host, ["swarm", "update"]);
  expect(help).toMatchObject({ exitCode: 0, stderr: "" });
  expect(help.stdout).toStartWith("Usage: shoal swarm update [options]\n");
  expect(daemon.calls()).toHaveLength(before);
});

test("swarm leave, unlock-key and unlock talk to the daemon as docker does", async () => {
  daemon.on("POST", "/swarm/leave", () => undefined);
  expect((await runShoal(daemon.host, ["swarm", "leave", "-f"])).stdout).toBe("Node left the swarm.\n");
  expect(daemon.calls().at(-1)).toBe("POST /swarm/leave?force=1");
  daemon.on("POST", "/swarm/leave", (_request, res) => jsonError(res, 503, "This node is not part of a swarm"));
  expect(await runShoal(daemon.host, ["swarm", "leave"])).toMatchObject({ exitCode: 1, stderr: "Error response from daemon: This node is not part of a swarm\n" });

  expect((await runShoal(daemon.host, ["swarm", "unlock-key", "-q"])).stdout).toBe("SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8\n");
  expect(await runShoal(daemon.host, ["swarm", "unlock-key", "--rotate"])).toMatchObject({ exitCode: 1, stderr: "cannot rotate because autolock is not turned on\n" });
  daemon.on("GET", "/swarm/unlockkey", () => ({ UnlockKey: "" }));
  expect((await runShoal(daemon.host, ["swarm", "unlock-key"])).stderr).toBe("no unlock key is set\n");

  expect((await runShoal(daemon.host, ["swarm", "unlock"])).stderr).toBe("Error: swarm is not locked\n");
  daemon.on("GET", "/info", () => ({ Swarm: { NodeID: NODE_ID, LocalNodeState: "locked", ControlAvailable: false } }));
  daemon.on("POST", "/swarm/unlock", () => undefined);
  expect((await runShoal(daemon.host, ["swarm", "unlock"], { stdin: ["SWMKEY-1-abc  \n"] })).exitCode).toBe(0);
  expect(JSON.parse(daemon.requests.at(-1)!.body)).toEqual({ UnlockKey: "SWMKEY-1-abc" });
  const typed = await runShoal(daemon.host, ["swarm", "unlock"], { stdin: ["SWMKEY-1-xyz\r"], terminal: true });
  expect(typed).toMatchObject({ stdout: "Enter unlock key: \n", rawModes: 1 });
  expect(JSON.parse(daemon.requests.at(-1)!.body)).toEqual({ UnlockKey: "SWMKEY-1-xyz" });
});

test("swarm ca prints the root CA and starts a rotation with --rotate", async () => {
  expect((await runShoal(daemon.host, ["swarm", "ca"])).stdout).toBe(TRUST_ROOT);
  expect((await runShoal(daemon.host, ["swarm", "ca", "--cert-expiry", "1h"])).stderr).toBe("`--cert-expiry` flag requires the `--rotate` flag to update the CA\n");
  daemon.on("POST", "/swarm/update", () => undefined);
  expect((await runShoal(daemon.host, ["swarm", "ca", "--rotate", "-d", "--cert-expiry", "48h"])).exitCode).toBe(0);
  const spec = JSON.parse(daemon.requests.at(-1)!.body);
  expect(spec.CAConfig).toEqual({ NodeCertExpiry: 172_800_000_000_000, ForceRotate: 1 });
});

test("swarm ca --rotate waits until every node has the new root, then prints it", async () => {
  daemon.on("POST", "/swarm/update", () => undefined);
  daemon.on("GET", "/nodes", () => [
    { ID: NODE_ID, Description: { TLSInfo: { TrustRoot: TRUST_ROOT, CertIssuerSubject: "MBMxETAPBgNVBAMTCHN3YXJtLWNh", CertIssuerPublicKey: "MFkwEwYH" } } },
  ]);
  const { swarmCaCommand } = await import("./ca.ts");
  const { ApiClient } = await import("../api-client.ts");
  let out = "";
  const ctx = { client: new ApiClient(daemon.host), out: (text: string) => void (out += text), err: () => {}, env: {} } as unknown as Parameters<typeof swarmCaCommand>[0];
  await swarmCaCommand(ctx, { rotate: true }, 0);
  expect(out).toBe(
    "desired root digest: \n  rotated TLS certificates: \n  rotated CA certificates:  \n" +
      `desired root digest: sha256:${new Bun.CryptoHasher("sha256").update(TRUST_ROOT).digest("hex")}\n` +
      "  rotated TLS certificates: 1/1 nodes\n  rotated CA certificates:  1/1 nodes\n" +
      TRUST_ROOT,
  );
  expect(daemon.calls().filter((call) => !call.startsWith("POST"))).toEqual(["GET /swarm", "GET /swarm", "GET /nodes", "GET /swarm", "GET /swarm"]);
});

test("listen addresses are completed as docker's ParseTCPAddr completes them", () => {
  expect(nodeAddrFlag("swarm init", "--listen-addr", undefined)).toBe("0.0.0.0:2377");
  expect(nodeAddrFlag("swarm init", "--listen-addr", ":4500")).toBe("0.0.0.0:4500");
  expect(nodeAddrFlag("swarm init", "--listen-addr", "tcp://10.0.0.1")).toBe("10.0.0.1:2377");
  expect(nodeAddrFlag("swarm init", "--listen-addr", "::1")).toBe("[::1]:2377");
  expect(nodeAddrFlag("swarm init", "--listen-addr", "[fe80::1]:7000")).toBe("[fe80::1]:7000");
  expect(() => nodeAddrFlag("swarm init", "--listen-addr", "eth0:port")).toThrow("invalid bind address format: eth0:port");
});
