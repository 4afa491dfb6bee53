import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import { isCaCertificate } from "./ca-certificate.ts";
import { importPrivateKeyPem, keyMatchesCertificate } from "./ec-key.ts";
import { writeFileAtomic, fileError } from "./atomic-write.ts";
import { isNodeSecretsSealed, openNodeSecrets, sealNodeSecrets, type NodeSecrets } from "./node-key-file.ts";
import { parseCertificates } from "./pem.ts";
import { identityOf } from "./node-certificate.ts";

/** The folder under the data root that holds a node's swarm certificates. */
export const CERTIFICATES_DIR = "certificates";

/** The files in it: trust bundle, node certificate chain, node key (with the raft DEK on managers). */
export const CERTIFICATE_FILES = {
  rootCa: "swarm-root-ca.crt",
  nodeCertificate: "swarm-node.crt",
  nodeKey: "swarm-node.key",
} as const;

const PUBLIC_MODE = 0o644;
const SECRET_MODE = 0o600;
const DIR_MODE = 0o700;

/** Everything a node needs for mutual TLS and its raft data, as stored under `<data-root>/certificates/`. */
export interface NodeCredentials extends NodeSecrets {
  /** The roots to trust, PEM. */
  rootCaBundlePem: string;
  /** The node certificate followed by its intermediates, PEM. */
  certificatePem: string;
}

/** Whether and how the node's secrets are sealed. */
export interface UnlockOptions {
  /** The unlock key when autolock is on; null or absent when it is off. */
  unlockKey?: string | null;
}

/** The certificates folder of a data root. */
export function certificatesDir(dataRoot: string): string {
  return join(dataRoot, CERTIFICATES_DIR);
}

/** Stores the trust bundle (swarm-root-ca.crt, 0644) after checking it holds only CA certificates. */
export async function saveRootCaBundle(dataRoot: string, rootCaBundlePem: string): Promise<void> {
  if (!parseCertificates(rootCaBundlePem, "the root CA bundle").every(isCaCertificate)) {
    throw new ShoalError("invalid_argument", "the root CA bundle holds a certificate that is not a CA");
  }
  await writeFileAtomic(await filePath(dataRoot, "rootCa", true), rootCaBundlePem, { mode: PUBLIC_MODE });
}

/**
 * Stores a node's certificate chain (swarm-node.crt, 0644) and its key with the DEK (swarm-node.key, 0600, sealed when
 * an unlock key is given). Refuses a key that is not the certificate's. The key is written first: a crash between the
 * two writes leaves a pair that {@link loadNodeCredentials} reports as mismatched, never one that silently works.
 */
export async function saveNodeCredentials(
  dataRoot: string,
  credentials: Pick<NodeCredentials, "certificatePem" | "keyPem" | "dataKey">,
  options: UnlockOptions = {},
): Promise<void> {
  const [leaf] = parseCertificates(credentials.certificatePem, "the node certificate");
  identityOf(leaf!); // refuses anything but a swarm node certificate
  if (!(await keyMatchesCertificate(await importPrivateKeyPem(credentials.keyPem, "the node key"), leaf!))) {
    throw new ShoalError("invalid_argument", "the node key does not match the node certificate");
  }
  const keyText = await sealNodeSecrets(credentials, options.unlockKey ?? null);
  await writeFileAtomic(await filePath(dataRoot, "nodeKey", true), keyText, { mode: SECRET_MODE });
  await writeFileAtomic(await filePath(dataRoot, "nodeCertificate", true), credentials.certificatePem, { mode: PUBLIC_MODE });
}

/** Replaces the raft DEK in swarm-node.key, keeping the TLS key (DEK rotation). */
export async function saveDataKey(dataRoot: string, dataKey: Uint8Array | null, options: UnlockOptions = {}): Promise<void> {
  const path = await filePath(dataRoot, "nodeKey", false);
  const secrets = await readSecrets(path, options.unlockKey ?? null);
  await writeFileAtomic(path, await sealNodeSecrets({ ...secrets, dataKey }, options.unlockKey ?? null), { mode: SECRET_MODE });
}

/** Loads and cross-checks everything under `<data-root>/certificates/`; a missing or corrupt file is an error naming it. */
export async function loadNodeCredentials(dataRoot: string, options: UnlockOptions = {}): Promise<NodeCredentials> {
  const rootCaPath = await filePath(dataRoot, "rootCa", false);
  const certificatePath = await filePath(dataRoot, "nodeCertificate", false);
  const keyPath = await filePath(dataRoot, "nodeKey", false);
  const rootCaBundlePem = await readText(rootCaPath);
  const certificatePem = await readText(certificatePath);
  const roots = await corruptUnless(rootCaPath, () => parseCertificates(rootCaBundlePem, "the root CA bundle"));
  if (!roots.every(isCaCertificate)) throw new ShoalError("failed_precondition", `corrupt ${rootCaPath}: it holds a certificate that is not a CA`);
  const [leaf] = await corruptUnless(certificatePath, () => parseCertificates(certificatePem, "the node certificate"));
  await corruptUnless(certificatePath, () => identityOf(leaf!));
  const secrets = await readSecrets(keyPath, options.unlockKey ?? null);
  const key = await corruptUnless(keyPath, () => importPrivateKeyPem(secrets.keyPem, "the node key"));
  if (!(await keyMatchesCertificate(key, leaf!))) {
    throw new ShoalError("failed_precondition", `${keyPath} does not hold the key of ${certificatePath}; leave the swarm and join it again`);
  }
  return { rootCaBundlePem, certificatePem, ...secrets };
}

/** True when swarm-node.key is sealed, i.e. the node needs its unlock key to start (autolock). */
export async function isNodeLocked(dataRoot: string): Promise<boolean> {
  return isNodeSecretsSealed(await readText(await filePath(dataRoot, "nodeKey", false)));
}

/** Re-seals swarm-node.key under a new unlock key in one atomic write; null turns autolock off (or was off). */
export async function rotateUnlockKey(dataRoot: string, currentUnlockKey: string | null, newUnlockKey: string | null): Promise<void> {
  const path = await filePath(dataRoot, "nodeKey", false);
  const secrets = await readSecrets(path, currentUnlockKey);
  await writeFileAtomic(path, await sealNodeSecrets(secrets, newUnlockKey), { mode: SECRET_MODE });
}

async function filePath(dataRoot: string, file: keyof typeof CERTIFICATE_FILES, create: boolean): Promise<string> {
  const dir = certificatesDir(dataRoot);
  if (create) await mkdir(dir, { recursive: true, mode: DIR_MODE }).catch((error) => Promise.reject(fileError(error, `cannot create ${dir}`)));
  return join(dir, CERTIFICATE_FILES[file]);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ShoalError("not_found", `missing ${path}: this node has no complete swarm certificates; join a swarm, or leave and join again`, { cause: error });
    }
    throw fileError(error, `cannot read ${path}`);
  }
}

async function readSecrets(path: string, unlockKey: string | null): Promise<NodeSecrets> {
  const text = await readText(path);
  return corruptUnless(path, () => openNodeSecrets(text, unlockKey));
}

async function corruptUnless<T>(path: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw corrupt(path, error);
  }
}

/** Malformed content becomes failed_precondition naming the file; a locked swarm or a wrong unlock key keep their own errors. */
function corrupt(path: string, error: unknown): unknown {
  if (error instanceof ShoalError && (error.code === "invalid_argument" || error.code === "failed_precondition")) {
    return new ShoalError("failed_precondition", `corrupt ${path}: ${error.message}`, { cause: error });
  }
  return error;
}
