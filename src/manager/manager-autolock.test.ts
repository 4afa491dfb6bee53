import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { caught } from "../../test/support/pki-fixtures.ts";
import { freePort } from "../../test/support/raft-process-cluster.ts";
import { silentLogger, systemClock } from "../lib/index.ts";
import { SWARM_LOCKED_MESSAGE } from "../pki/index.ts";
import { LmdbRaftStorage } from "../raft/index.ts";
import { Manager, type ManagerDeps } from "./index.ts";
import { isManagerLocked } from "./manager-secrets.ts";
import { resolveSwarmAddresses } from "./swarm-addresses.ts";
import { INVALID_KEY_PROVIDED_MESSAGE } from "./unlock-keys.ts";

const running: Manager[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const manager of running.splice(0)) await manager.stop();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function deps(): ManagerDeps {
  const dataRoot = mkdtempSync("/tmp/shoal-manager-autolock-");
  cleanups.push(() => rmSync(dataRoot, { recursive: true, force: true }));
  return { dataRoot, clock: systemClock, logger: silentLogger, openRaftStorage: (path, options) => LmdbRaftStorage.open(path, options), tickMs: 20 };
}

const facts = { hostname: "manager1", architecture: "x86_64", nanoCpus: 2e9, memoryBytes: 4 << 30, engineVersion: "0.1.0" };

async function init(d: ManagerDeps, autoLockManagers: boolean): Promise<Manager> {
  const addresses = resolveSwarmAddresses({ listenAddr: `127.0.0.1:${freePort()}`, advertiseAddr: "127.0.0.1" }, {});
  return track(await Manager.init(d, { addresses, facts, autoLockManagers }));
}

function track(manager: Manager): Manager {
  running.push(manager);
  return manager;
}

async function stop(manager: Manager): Promise<void> {
  running.splice(running.indexOf(manager), 1);
  await manager.stop();
}

/** `swarm update --autolock=…` / `swarm unlock-key --rotate` as the CLI sends them: the whole spec at the current version. */
function setAutolock(manager: Manager, autolock: boolean, rotate = false): Promise<void> {
  const swarm = manager.swarm();
  const spec = { ...swarm.Spec, EncryptionConfig: { AutoLockManagers: autolock } };
  return manager.updateSwarm(swarm.Version.Index, spec, { worker: false, manager: false, managerUnlockKey: rotate });
}

test("init --autolock seals the manager's keys: a restart needs the unlock key, a wrong one is refused, the right one brings the swarm back", async () => {
  const d = deps();
  const manager = await init(d, true);
  const { nodeId, clusterId } = manager;
  const key = manager.unlockKey();
  expect(key).toMatch(/^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
  expect(manager.swarm().Spec.EncryptionConfig.AutoLockManagers).toBe(true);
  expect(manager.swarm()).not.toHaveProperty("UnlockKeys"); // managers only: never shown by the API
  expect(manager.info().Cluster).not.toHaveProperty("UnlockKeys");
  expect(await isManagerLocked(d.dataRoot)).toBe(true);
  await stop(manager);

  const locked = await caught(() => Manager.restart(d));
  expect([locked.code, locked.message]).toEqual(["unavailable", SWARM_LOCKED_MESSAGE]);
  const wrong = await caught(() => Manager.restart(d, "SWMKEY-1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  expect([wrong.code, wrong.message]).toEqual(["permission_denied", INVALID_KEY_PROVIDED_MESSAGE]);

  const unlocked = track(await Manager.restart(d, key));
  expect([unlocked.nodeId, unlocked.clusterId, unlocked.unlockKey()]).toEqual([nodeId, clusterId, key]);
  expect(unlocked.nodes({}).map((node) => node.ID)).toEqual([nodeId]);
  expect(unlocked.diskUnlockKey).toBe(key);
}, 30_000);

test("rotating the key re-seals before the answer (old key refused after), and turning autolock off stores the keys in clear", async () => {
  const d = deps();
  const manager = await init(d, true);
  const old = manager.unlockKey();
  await setAutolock(manager, true, true);
  const rotated = manager.unlockKey();
  expect(rotated).not.toBe(old);
  expect(manager.diskUnlockKey).toBe(rotated);
  await stop(manager);
  expect((await caught(() => Manager.restart(d, old))).message).toBe(INVALID_KEY_PROVIDED_MESSAGE);

  const unlocked = track(await Manager.restart(d, rotated));
  await setAutolock(unlocked, false);
  expect(unlocked.unlockKey()).toBe("");
  expect(await isManagerLocked(d.dataRoot)).toBe(false);
  await stop(unlocked);
  expect(track(await Manager.restart(d)).swarm().Spec.EncryptionConfig.AutoLockManagers).toBe(false);
}, 30_000);

test("autolock turned on by swarm update makes a key and seals; a rotation asked for with autolock off does nothing", async () => {
  const d = deps();
  const manager = await init(d, false);
  expect(manager.unlockKey()).toBe("");
  await setAutolock(manager, false, true);
  expect([manager.unlockKey(), await isManagerLocked(d.dataRoot)]).toEqual(["", false]);
  await setAutolock(manager, true);
  const key = manager.unlockKey();
  expect(key).toStartWith("SWMKEY-1-");
  expect(await isManagerLocked(d.dataRoot)).toBe(true);
  await setAutolock(manager, true); // another update keeps the key
  expect(manager.unlockKey()).toBe(key);
}, 30_000);

test("--force-new-cluster on an autolocked manager opens its keys with the key they are sealed with", async () => {
  const d = deps();
  const manager = await init(d, true);
  const key = manager.unlockKey();
  expect(manager.diskUnlockKey).toBe(key);
  running.splice(running.indexOf(manager), 1);
  await manager.stopForRecovery();
  expect((await caught(() => Manager.forceNewCluster(d, null))).message).toBe(SWARM_LOCKED_MESSAGE);
  const forced = track(await Manager.forceNewCluster(d, null, key));
  expect([forced.nodeId, forced.unlockKey(), await isManagerLocked(d.dataRoot)]).toEqual([manager.nodeId, key, true]);
}, 30_000);
