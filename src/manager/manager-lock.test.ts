import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import { silentLogger } from "../lib/index.ts";
import { generateDataKey, generateUnlockKey, saveNodeCredentials, saveRootCaBundle } from "../pki/index.ts";
import { ClusterStore } from "../store/index.ts";
import * as fixtures from "../store/store-fixtures.ts";
import { ManagerLock } from "./manager-lock.ts";
import { isManagerLocked, openManagerSecrets } from "./manager-secrets.ts";
import { isCaKeySealed, swarmDir, writeCaKey } from "./manager-state.ts";
import { INVALID_KEY_PROVIDED_MESSAGE } from "./unlock-keys.ts";

const CLUSTER_ID = "c1usterc1usterc1usterc1u";
let dataRoot: string;
let store: ClusterStore;
let lock: ManagerLock | undefined;
beforeEach(() => {
  dataRoot = mkdtempSync(join(tmpdir(), "shoal-manager-lock-"));
  store = new ClusterStore();
});
afterEach(async () => {
  await lock?.stop();
  store.close();
  rmSync(dataRoot, { recursive: true, force: true });
});

/** A manager's files in clear, its store holding the cluster (autolock off), and a lock following it. */
async function startLock(): Promise<{ dataKey: Uint8Array; caKeyPem: string; lock: ManagerLock }> {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock, { role: "manager" });
  const dataKey = generateDataKey();
  mkdirSync(swarmDir(dataRoot), { recursive: true });
  await saveRootCaBundle(dataRoot, root.certificatePem);
  await saveNodeCredentials(dataRoot, { certificatePem: node.certificatePem, keyPem: node.keyPem, dataKey });
  await writeCaKey(dataRoot, root.keyPem);
  await store.update((tx) => tx.create("cluster", { ...fixtures.cluster(), ID: CLUSTER_ID }));
  lock = new WatchedLock({ dataRoot, store, clusterId: CLUSTER_ID, dataKey, unlockKey: null, logger: silentLogger });
  lock.start();
  await lock.reconcile();
  return { dataKey, caKeyPem: root.keyPem, lock };
}

/** Sets autolock and the unlock keys in the cluster object, as `swarm update` does. */
async function setAutolock(key: string | null): Promise<void> {
  await store.update((tx) => {
    const { UnlockKeys: _old, ...cluster } = tx.get("cluster", CLUSTER_ID)!;
    const Spec = { ...cluster.Spec, EncryptionConfig: { AutoLockManagers: key !== null } };
    tx.update("cluster", { ...cluster, Spec, ...(key ? { UnlockKeys: [{ Subsystem: "manager" as const, Key: key }] } : {}) });
  });
}

/** A lock that records the passes its store watch starts, so a test can wait for the one a change caused. */
class WatchedLock extends ManagerLock {
  passes: Promise<void>[] = [];
  override reconcile(): Promise<void> {
    const pass = super.reconcile();
    this.passes.push(pass);
    return pass;
  }
}

/** Changes autolock, waits for the pass the store watch started on that change, then checks what the files are sealed with. */
async function changeAndSettle(lock: ManagerLock, key: string | null): Promise<void> {
  const watched = lock as WatchedLock;
  const seen = watched.passes.length;
  await setAutolock(key);
  for (let turn = 0; turn < 1000 && watched.passes.length === seen; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(watched.passes.length).toBeGreaterThan(seen); // the change alone started a pass
  await watched.passes.at(-1);
  expect(lock.unlockKey).toBe(key);
}

test("the manager's keys follow the cluster: sealed when autolock turns on, re-sealed on rotation, clear when off", async () => {
  const { caKeyPem, lock } = await startLock();
  expect(await isManagerLocked(dataRoot)).toBe(false);

  const first = generateUnlockKey();
  await changeAndSettle(lock, first);
  expect([await isManagerLocked(dataRoot), await isCaKeySealed(dataRoot)]).toEqual([true, true]);
  expect((await openManagerSecrets(dataRoot, first)).caKeyPem).toBe(caKeyPem);

  const second = generateUnlockKey();
  await changeAndSettle(lock, second);
  expect((await caught(() => openManagerSecrets(dataRoot, first))).message).toBe(INVALID_KEY_PROVIDED_MESSAGE);
  expect((await openManagerSecrets(dataRoot, second)).caKeyPem).toBe(caKeyPem);

  await changeAndSettle(lock, null);
  expect([await isManagerLocked(dataRoot), await isCaKeySealed(dataRoot)]).toEqual([false, false]);
  expect((await openManagerSecrets(dataRoot, null)).caKeyPem).toBe(caKeyPem);
});

test("a manager unlocked with an old key catches up with the cluster's current key when it starts", async () => {
  const { dataKey } = await startLock();
  const [old, current] = [generateUnlockKey(), generateUnlockKey()];
  await changeAndSettle(lock!, old);
  await lock!.stop();
  await setAutolock(current); // rotated while this manager was away
  expect(await openManagerSecrets(dataRoot, old)).toBeDefined();

  lock = new ManagerLock({ dataRoot, store, clusterId: CLUSTER_ID, dataKey, unlockKey: old, logger: silentLogger });
  lock.start(); // compares once on start
  await lock.reconcile();
  expect(lock.unlockKey).toBe(current);
  expect((await caught(() => openManagerSecrets(dataRoot, old))).message).toBe(INVALID_KEY_PROVIDED_MESSAGE);
  expect(await openManagerSecrets(dataRoot, current)).toBeDefined();
});

test("a stopped lock writes nothing more (the swarm state may be erased right after)", async () => {
  const { lock } = await startLock();
  await lock.stop();
  await setAutolock(generateUnlockKey());
  await lock.reconcile();
  expect(lock.unlockKey).toBeNull();
  expect(await isManagerLocked(dataRoot)).toBe(false);
});
