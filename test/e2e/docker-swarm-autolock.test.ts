/**
 * Swarm autolock on three namespace test hosts, with the shoal CLI (a one-manager swarm on the third
 * host) and then with the real docker CLI (three managers): `swarm init --autolock` prints the
 * unlock key, a restarted manager is locked (`info` says so, swarm calls answer Docker's text), a
 * wrong key is refused and changes nothing, the right key unlocks with the swarm intact; a rotated
 * key reaches every manager (a manager restarted after it needs the new key, the old one is
 * refused), a manager that joins is locked after a restart too, a demoted manager is never locked,
 * and `swarm update --autolock=false` lets managers restart unlocked.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dockerOk as docker, until } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

const LOCKED = 'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.';
const INVALID_KEY = "swarm could not be unlocked: invalid key provided";
/** A well-formed key that no swarm uses. */
const STRANGER_KEY = "SWMKEY-1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

let hosts: TestHosts;
let first: TestHost;
let second: TestHost;
let third: TestHost;
const ids = new Map<TestHost, string>();
/** The docker swarm's current unlock key, and the one before the last rotation. */
let unlockKey = "";
let oldKey = "";

/** `shoal <args>` on `host`; its trimmed stdout, or an error with its words. */
async function shoal(host: TestHost, args: string[], stdin?: string): Promise<string> {
  const result = await host.shoal(args, stdin === undefined ? {} : { stdin });
  if (result.exitCode !== 0) throw new Error(`shoal ${args.join(" ")} on ${host.hostname} failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout.trim();
}

/** The unlock key in a CLI's output. */
function keyIn(text: string): string {
  const match = /SWMKEY-1-[A-Za-z0-9+/]{43}/.exec(text);
  if (!match) throw new Error(`no unlock key in: ${text}`);
  return match[0];
}

/** The advice docker prints with the key (the shoal CLI names itself instead of docker). */
function unlockAdvice(cli: "docker" | "shoal", key: string): string {
  return (
    `To unlock a swarm manager after it restarts, run the \`${cli} swarm unlock\`\ncommand and provide the following key:\n\n    ${key}\n\n` +
    "Remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.\n"
  );
}

/** `docker swarm unlock` on `host` with `key` typed on its standard input. */
async function unlock(host: TestHost, key: string): Promise<void> {
  const result = await host.docker(["swarm", "unlock"], { stdin: `${key}\n` });
  if (result.exitCode !== 0) throw new Error(`docker swarm unlock on ${host.hostname} failed (${result.exitCode}): ${result.stderr}`);
}

/** MANAGER STATUS of the managers in `docker node ls` on `host`, sorted and joined. */
async function managerStatuses(host: TestHost): Promise<string> {
  const rows = (await docker(host, ["node", "ls", "--format", "{{.ManagerStatus}}"])).split("\n");
  return rows.filter((row) => row !== "").sort().join(",");
}

async function restart(host: TestHost): Promise<void> {
  expect(await host.stopDaemon("SIGTERM")).toBe(0);
  await host.startDaemon(40_000);
}

async function swarmState(host: TestHost): Promise<string> {
  return docker(host, ["info", "--format", "{{.Swarm.LocalNodeState}}"]);
}

/** swarm-node.key of a host as it is on disk. */
function nodeKeyFile(host: TestHost): string {
  return readFileSync(join(host.dataRoot, "certificates", "swarm-node.key"), "utf8");
}

beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "slock", subnet: 61, count: 3 });
  [first, second, third] = hosts.hosts as [TestHost, TestHost, TestHost];
}, 300_000);

afterAll(async () => {
  if (!hosts) return;
  for (const host of [...hosts.hosts].reverse()) await host.docker(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("autolock with the shoal CLI (a one-manager swarm)", () => {
  test("init --autolock, restart locked, wrong key refused, rotate, old key refused, autolock off, leave", async () => {
    const out = (await third.shoal(["swarm", "init", "--autolock", "--advertise-addr", third.address])).stdout;
    const key = keyIn(out);
    expect(out).toEndWith("To add a manager to this swarm, run 'shoal swarm join-token manager' and follow the instructions.\n" + unlockAdvice("shoal", key));
    expect(await shoal(third, ["swarm", "unlock-key", "-q"])).toBe(key);
    expect((await third.shoal(["swarm", "unlock"], { stdin: `${key}\n` })).stderr).toBe("Error: swarm is not locked\n");

    await restart(third);
    expect(await shoal(third, ["info"])).toContain(" Swarm: locked");
    expect((await third.shoal(["node", "ls"])).stderr).toBe(`Error response from daemon: ${LOCKED}\n`);
    expect((await third.shoal(["swarm", "leave"])).stderr).toBe(
      "Error response from daemon: Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message.\n",
    );
    expect((await third.shoal(["swarm", "unlock"], { stdin: `${STRANGER_KEY}\n` })).stderr).toBe(`Error response from daemon: ${INVALID_KEY}\n`);
    expect((await third.shoal(["swarm", "unlock"], { stdin: "not a key\n" })).stderr).toBe("Error response from daemon: invalid key string\n");
    expect(await swarmState(third)).toBe("locked");
    await shoal(third, ["swarm", "unlock"], `${key}\n`);
    expect(await swarmState(third)).toBe("active");

    const rotated = await shoal(third, ["swarm", "unlock-key", "--rotate"]);
    const newKey = keyIn(rotated);
    expect(rotated + "\n").toBe("Successfully rotated manager unlock key.\n" + unlockAdvice("shoal", newKey));
    expect(newKey).not.toBe(key);
    await restart(third);
    expect((await third.shoal(["swarm", "unlock"], { stdin: `${key}\n` })).stderr).toBe(`Error response from daemon: ${INVALID_KEY}\n`);
    await shoal(third, ["swarm", "unlock"], `${newKey}\n`);

    expect(await shoal(third, ["swarm", "update", "--autolock=false"])).toBe("Swarm updated.");
    expect((await third.shoal(["swarm", "unlock-key"])).stderr).toBe("no unlock key is set\n");
    await restart(third);
    expect(await swarmState(third)).toBe("active");
    expect(await shoal(third, ["swarm", "leave", "--force"])).toBe("Node left the swarm.");
  }, 180_000);
});

describe("autolock with the docker CLI (three managers)", () => {
  test("docker swarm init --autolock prints the unlock key, and unlock-key -q shows it", async () => {
    const out = (await first.docker(["swarm", "init", "--autolock", "--advertise-addr", first.address])).stdout;
    ids.set(first, /current node \(([0-9a-z]{25})\) is now a manager/.exec(out)![1]!);
    unlockKey = keyIn(out);
    expect(out).toEndWith("To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n" + unlockAdvice("docker", unlockKey));
    expect(await docker(first, ["swarm", "unlock-key", "-q"])).toBe(unlockKey);
    expect(await shoal(first, ["swarm", "unlock-key", "-q"])).toBe(unlockKey);
    expect((await docker(first, ["swarm", "unlock-key"])) + "\n").toBe(unlockAdvice("docker", unlockKey));
    expect(await docker(first, ["info", "--format", "{{.Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers}}"])).toBe("true");
    expect(nodeKeyFile(first)).not.toContain("BEGIN PRIVATE KEY");
    expect(readFileSync(join(first.dataRoot, "swarm", "swarm-root-ca.key"), "utf8")).not.toContain("BEGIN PRIVATE KEY");
    await docker(first, ["node", "update", "--label-add", "autolock=kept", "self"]);
  }, 60_000);

  test("a restarted manager is locked: info says locked, node ls answers Docker's text, a wrong key is refused", async () => {
    await restart(first);
    expect(await swarmState(first)).toBe("locked");
    expect(await docker(first, ["info", "--format", "{{.Swarm.Error}}|{{.Swarm.ControlAvailable}}|{{.Swarm.NodeAddr}}"])).toBe(`${LOCKED}|false|${first.address}`);
    expect((await docker(first, ["info"])).split("\n")).toContain(" Swarm: locked");
    const refused = await first.docker(["node", "ls"]);
    expect([refused.exitCode, refused.stderr]).toEqual([1, `Error response from daemon: ${LOCKED}\n`]);
    expect((await first.docker(["swarm", "unlock-key"])).stderr).toContain(LOCKED);
    const wrong = await first.docker(["swarm", "unlock"], { stdin: `${STRANGER_KEY}\n` });
    expect([wrong.exitCode, wrong.stderr]).toEqual([1, `Error response from daemon: ${INVALID_KEY}\n`]);
    expect(await swarmState(first)).toBe("locked");
  }, 90_000);

  test("the right key unlocks and the swarm is intact", async () => {
    await unlock(first, unlockKey);
    expect(await docker(first, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}"])).toBe(`active true ${ids.get(first)}`);
    expect(await docker(first, ["node", "inspect", "self", "--format", '{{index .Spec.Labels "autolock"}}'])).toBe("kept");
    expect(await docker(first, ["swarm", "unlock-key", "-q"])).toBe(unlockKey);
    expect((await first.docker(["swarm", "unlock"], { stdin: `${unlockKey}\n` })).stderr).toBe("Error: swarm is not locked\n");
  }, 60_000);

  test("unlock-key --rotate: after a restart the old key is refused and the new one unlocks", async () => {
    const rotated = await docker(first, ["swarm", "unlock-key", "--rotate"]);
    [oldKey, unlockKey] = [unlockKey, keyIn(rotated)];
    expect(rotated + "\n").toBe("Successfully rotated manager unlock key.\n" + unlockAdvice("docker", unlockKey));
    expect(unlockKey).not.toBe(oldKey);
    await restart(first);
    const old = await first.docker(["swarm", "unlock"], { stdin: `${oldKey}\n` });
    expect([old.exitCode, old.stderr]).toEqual([1, `Error response from daemon: ${INVALID_KEY}\n`]);
    await unlock(first, unlockKey);
    expect(await docker(first, ["node", "inspect", "self", "--format", '{{index .Spec.Labels "autolock"}}'])).toBe("kept");
  }, 90_000);

  test("two managers join; a joined manager whose daemon restarts is locked with the same key", async () => {
    const token = await docker(first, ["swarm", "join-token", "-q", "manager"]);
    for (const host of [second, third]) {
      expect(await docker(host, ["swarm", "join", "--token", token, `${first.address}:2377`])).toBe("This node joined a swarm as a manager.");
      ids.set(host, await docker(host, ["info", "--format", "{{.Swarm.NodeID}}"]));
    }
    await until("one Leader and two Reachable", async () => (await managerStatuses(first)) === "Leader,Reachable,Reachable", 20_000);
    expect(await docker(second, ["swarm", "unlock-key", "-q"])).toBe(unlockKey); // cluster-wide
    await until("the joined managers sealed their keys", async () => !nodeKeyFile(second).includes("BEGIN PRIVATE KEY") && !nodeKeyFile(third).includes("BEGIN PRIVATE KEY"), 10_000);

    await restart(second);
    expect(await swarmState(second)).toBe("locked");
    expect((await second.docker(["node", "ls"])).stderr).toBe(`Error response from daemon: ${LOCKED}\n`);
    expect((await second.docker(["swarm", "unlock"], { stdin: `${oldKey}\n` })).stderr).toBe(`Error response from daemon: ${INVALID_KEY}\n`);
    await unlock(second, unlockKey);
    await until("the restarted manager is back in raft", async () => (await managerStatuses(second)) === "Leader,Reachable,Reachable", 20_000);
  }, 120_000);

  test("a rotation on one manager reaches the others: another manager restarted afterwards needs the new key", async () => {
    const before = nodeKeyFile(third);
    [oldKey, unlockKey] = [unlockKey, await docker(second, ["swarm", "unlock-key", "--rotate", "-q"])];
    expect(unlockKey).not.toBe(oldKey);
    expect(await docker(first, ["swarm", "unlock-key", "-q"])).toBe(unlockKey);
    await until("the third manager re-sealed its keys", async () => nodeKeyFile(third) !== before, 10_000);
    await restart(third);
    expect(await swarmState(third)).toBe("locked");
    expect((await third.docker(["swarm", "unlock"], { stdin: `${oldKey}\n` })).stderr).toBe(`Error response from daemon: ${INVALID_KEY}\n`);
    await unlock(third, unlockKey);
    await until("the third manager is back in raft", async () => (await managerStatuses(third)) === "Leader,Reachable,Reachable", 20_000);
  }, 120_000);

  test("a demoted manager is a worker, and workers are never locked", async () => {
    await docker(first, ["node", "demote", ids.get(third)!]);
    await until("the third node continues as a worker", async () => (await docker(third, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"])) === "active false", 30_000);
    expect(nodeKeyFile(third)).toStartWith("-----BEGIN PRIVATE KEY-----\n");
    await restart(third);
    expect(await docker(third, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}"])).toBe(`active false ${ids.get(third)}`);
  }, 90_000);

  test("swarm update --autolock=false: managers restart unlocked", async () => {
    expect(await docker(first, ["swarm", "update", "--autolock=false"])).toBe("Swarm updated.");
    expect((await first.docker(["swarm", "unlock-key"])).stderr).toBe("no unlock key is set\n");
    await until("the other manager stores its keys in clear", async () => nodeKeyFile(second).startsWith("-----BEGIN PRIVATE KEY-----\n"), 10_000);
    expect(nodeKeyFile(first)).toStartWith("-----BEGIN PRIVATE KEY-----\n");
    for (const host of [first, second]) {
      await restart(host);
      await until(`${host.hostname} active again without a key`, async () => (await swarmState(host)) === "active", 20_000);
    }
    await until("both managers back", async () => (await managerStatuses(first)) === "Leader,Reachable", 20_000);
    expect(await docker(second, ["node", "inspect", ids.get(first)!, "--format", '{{index .Spec.Labels "autolock"}}'])).toBe("kept");
  }, 120_000);
});
