import { ShoalError } from "../lib/index.ts";
import { decodePemBlocks, encodePem } from "./pem.ts";
import { openSealedSecret, sealSecret, type SealPurpose } from "./seal.ts";
import { swarmLockedError } from "./swarm-locked.ts";
import { DATA_KEY_BYTES } from "./unlock-key.ts";

/** PEM block types of swarm-node.key; the type says outright whether the block is sealed under the unlock key. */
export const NODE_KEY_PEM_TYPES = {
  key: "PRIVATE KEY",
  sealedKey: "SHOAL SEALED PRIVATE KEY",
  dataKey: "SHOAL DATA KEY",
  sealedDataKey: "SHOAL SEALED DATA KEY",
} as const;

/** The secrets of a node: its TLS key and, on managers, the data encryption key (DEK) of its raft data. */
export interface NodeSecrets {
  /** The node's TLS private key, PKCS#8 PEM. */
  keyPem: string;
  /** The raft DEK (32 bytes), or null on a node without one. */
  dataKey: Uint8Array | null;
}

/**
 * The text of swarm-node.key: the key block, then the DEK block when there is one. Without an unlock key both are
 * stored plainly (PRIVATE KEY, SHOAL DATA KEY); with one (autolock) both are sealed (SHOAL SEALED …). One file, so
 * re-sealing under a new unlock key is one atomic write.
 */
export async function sealNodeSecrets(secrets: NodeSecrets, unlockKey: string | null): Promise<string> {
  const [der] = decodePemBlocks(secrets.keyPem, NODE_KEY_PEM_TYPES.key);
  if (!der) throw new ShoalError("invalid_argument", "the node key is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)");
  if (secrets.dataKey && secrets.dataKey.length !== DATA_KEY_BYTES) {
    throw new ShoalError("invalid_argument", `a data key is ${DATA_KEY_BYTES} bytes, not ${secrets.dataKey.length}`);
  }
  const blocks: { bytes: Uint8Array; plain: string; sealed: string; purpose: SealPurpose }[] = [
    { bytes: new Uint8Array(der), plain: NODE_KEY_PEM_TYPES.key, sealed: NODE_KEY_PEM_TYPES.sealedKey, purpose: "node-key" },
  ];
  if (secrets.dataKey) {
    blocks.push({ bytes: secrets.dataKey, plain: NODE_KEY_PEM_TYPES.dataKey, sealed: NODE_KEY_PEM_TYPES.sealedDataKey, purpose: "data-key" });
  }
  let text = "";
  for (const block of blocks) {
    text += unlockKey === null ? encodePem(block.bytes, block.plain) : encodePem(await sealSecret(block.bytes, unlockKey, block.purpose), block.sealed);
  }
  return text;
}

/** The secrets in swarm-node.key text; sealed ones need the unlock key (unavailable "Swarm is encrypted…" without it). */
export async function openNodeSecrets(text: string, unlockKey: string | null): Promise<NodeSecrets> {
  const blocks = (type: string) => decodePemBlocks(text, type).map((der) => new Uint8Array(der));
  const plainKeys = blocks(NODE_KEY_PEM_TYPES.key);
  const sealedKeys = blocks(NODE_KEY_PEM_TYPES.sealedKey);
  const plainDataKeys = blocks(NODE_KEY_PEM_TYPES.dataKey);
  const sealedDataKeys = blocks(NODE_KEY_PEM_TYPES.sealedDataKey);
  if (plainKeys.length + sealedKeys.length !== 1 || plainDataKeys.length + sealedDataKeys.length > 1) {
    throw new ShoalError("invalid_argument", "not a node key file: expected one private key block and at most one data key block");
  }
  const sealed = sealedKeys.length === 1;
  if (sealed ? plainDataKeys.length > 0 : sealedDataKeys.length > 0) {
    throw new ShoalError("invalid_argument", "not a node key file: the key and the data key must both be sealed or both be plain");
  }
  if (!sealed) {
    const dataKey = plainDataKeys[0] ?? null;
    if (dataKey && dataKey.length !== DATA_KEY_BYTES) throw new ShoalError("invalid_argument", `not a node key file: the data key is ${dataKey.length} bytes`);
    return { keyPem: encodePem(plainKeys[0]!, NODE_KEY_PEM_TYPES.key), dataKey };
  }
  if (unlockKey === null) throw swarmLockedError();
  const key = await openSealedSecret(sealedKeys[0]!, unlockKey, "node-key");
  const dataKey = sealedDataKeys[0] ? await openSealedSecret(sealedDataKeys[0], unlockKey, "data-key") : null;
  return { keyPem: encodePem(key, NODE_KEY_PEM_TYPES.key), dataKey };
}

/** True when swarm-node.key text is sealed under an unlock key (autolock is on). */
export function isNodeSecretsSealed(text: string): boolean {
  return decodePemBlocks(text, NODE_KEY_PEM_TYPES.sealedKey).length > 0;
}
