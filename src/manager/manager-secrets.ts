import { ShoalError } from "../lib/index.ts";
import { INVALID_UNLOCK_KEY_MESSAGE, isNodeLocked, loadNodeCredentials, rotateUnlockKey, saveNodeCredentials, type NodeCredentials } from "../pki/index.ts";
import { dataKeyCipher } from "../store/index.ts";
import { isCaKeySealed, readCaKey, writeCaKey } from "./manager-state.ts";
import { invalidUnlockKeyError } from "./unlock-keys.ts";

/** What a manager starts from: its credentials with the raft data key, and the root CA key. */
export interface ManagerSecrets {
  credentials: NodeCredentials & { dataKey: Uint8Array };
  caKeyPem: string;
}

/**
 * True when this manager's keys on disk are sealed under an unlock key (autolock): it stays locked until
 * `swarm unlock`. False when the key file is missing or unreadable: the restart then reports what is wrong.
 */
export async function isManagerLocked(dataRoot: string): Promise<boolean> {
  return isNodeLocked(dataRoot).catch(() => false);
}

/**
 * Opens a manager's keys with `unlockKey` (null when autolock was off): the node key and raft data key from
 * swarm-node.key, then the root CA key (sealed with the data key, or plain). Sealed keys without an unlock key are
 * "Swarm is encrypted…" (unavailable); a wrong key is moby's "invalid key provided" and nothing is touched.
 */
export async function openManagerSecrets(dataRoot: string, unlockKey: string | null): Promise<ManagerSecrets> {
  let credentials: NodeCredentials;
  try {
    credentials = await loadNodeCredentials(dataRoot, { unlockKey });
  } catch (error) {
    if (error instanceof ShoalError && error.code === "permission_denied" && error.message === INVALID_UNLOCK_KEY_MESSAGE) throw invalidUnlockKeyError(error);
    throw error;
  }
  const { dataKey } = credentials;
  if (!dataKey) throw new ShoalError("failed_precondition", "this node's key file holds no raft data key; leave the swarm and join it again");
  const caKeyPem = await readCaKey(dataRoot, dataKeyCipher(dataKey));
  return { credentials: { ...credentials, dataKey }, caKeyPem };
}

/**
 * Seals a manager's keys for unlock key `to` (null: in clear, autolock off), from `from`, the key they are sealed
 * with now: swarm-node.key (node key and raft data key) re-sealed in one atomic write, then the root CA key sealed
 * with the raft data key, or written plain. Idempotent; a crash between the two writes leaves files that still open
 * with `to` (the CA key opens with the data key either way) and the next call completes it.
 */
export async function sealManagerSecrets(dataRoot: string, from: string | null, to: string | null, dataKey: Uint8Array): Promise<void> {
  if (from !== to) await rotateUnlockKey(dataRoot, from, to);
  if ((await isCaKeySealed(dataRoot)) === (to !== null)) return;
  const cipher = dataKeyCipher(dataKey);
  await writeCaKey(dataRoot, await readCaKey(dataRoot, cipher), to === null ? null : cipher);
}

/** After a demotion: the node key in clear and without the raft data key, since workers are never locked. */
export async function unsealForWorker(dataRoot: string, unlockKey: string | null): Promise<void> {
  const credentials = await loadNodeCredentials(dataRoot, { unlockKey });
  await saveNodeCredentials(dataRoot, { certificatePem: credentials.certificatePem, keyPem: credentials.keyPem, dataKey: null });
}
