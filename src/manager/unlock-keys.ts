import { ShoalError } from "../lib/index.ts";
import { UNLOCK_KEY_BYTES, UNLOCK_KEY_PREFIX, generateUnlockKey } from "../pki/index.ts";
import type { Swarm } from "../types/index.ts";

/** `POST /swarm/unlock` with a key that does not open this manager's keys (moby `invalidUnlockKey`). */
export const INVALID_KEY_PROVIDED_MESSAGE = "swarm could not be unlocked: invalid key provided";

/** `POST /swarm/unlock` with text that is no unlock key at all (SwarmKit `ParseHumanReadableKey`). */
export const INVALID_KEY_STRING_MESSAGE = "invalid key string";

/** `POST /swarm/unlock` on a manager that runs (moby `notLockedError`). */
export const SWARM_NOT_LOCKED_MESSAGE = "swarm is not locked";

/** `POST /swarm/leave` without force on a locked manager (moby's `Leave`). */
export const LOCKED_LEAVE_MESSAGE = "Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message.";

/** The cluster's manager unlock keys (SwarmKit's `Cluster.UnlockKeys`). */
export type UnlockKeys = Swarm["UnlockKeys"];

/** The key managers must seal their keys with: the cluster's manager unlock key while autolock is on, else null. */
export function clusterUnlockKey(cluster: Pick<Swarm, "Spec" | "UnlockKeys"> | undefined): string | null {
  if (!cluster?.Spec.EncryptionConfig.AutoLockManagers) return null;
  return cluster.UnlockKeys?.find((key) => key.Subsystem === "manager")?.Key ?? null;
}

/**
 * The unlock keys after a cluster update, as SwarmKit's `UpdateCluster` makes them: none with autolock off; a new
 * key when autolock is turned on or a rotation is asked for; otherwise the current one. A rotation asked for while
 * autolock is off does nothing (the CLI refuses it before asking).
 */
export function nextUnlockKeys(current: UnlockKeys, autolock: boolean, rotate: boolean, generate: () => string = generateUnlockKey): UnlockKeys {
  if (!autolock) return undefined;
  const existing = current?.find((key) => key.Subsystem === "manager");
  if (!existing || rotate) return [{ Subsystem: "manager", Key: generate() }];
  return current;
}

/** The error of a key that does not open this manager's keys (permission_denied: moby answers 401). */
export function invalidUnlockKeyError(cause?: unknown): ShoalError {
  return new ShoalError("permission_denied", INVALID_KEY_PROVIDED_MESSAGE, { cause });
}

/** True for {@link invalidUnlockKeyError} and {@link checkUnlockKeyText}'s refusals: the node stays locked, nothing changed. */
export function isUnlockKeyRefusal(error: unknown): boolean {
  return error instanceof ShoalError && (error.message === INVALID_KEY_PROVIDED_MESSAGE || error.message === INVALID_KEY_STRING_MESSAGE);
}

/**
 * The unlock key `POST /swarm/unlock` was given, checked as moby does: not `SWMKEY-1-` and unpadded base64 is
 * "invalid key string" (invalid_argument); well-formed but not 32 bytes cannot be the key (invalid key provided).
 */
export function checkUnlockKeyText(text: unknown): string {
  const key = typeof text === "string" ? text : "";
  const body = key.startsWith(UNLOCK_KEY_PREFIX) ? key.slice(UNLOCK_KEY_PREFIX.length) : null;
  if (body === null || !/^[A-Za-z0-9+/]*$/.test(body) || body.length % 4 === 1) throw new ShoalError("invalid_argument", INVALID_KEY_STRING_MESSAGE);
  if (Buffer.from(body, "base64").length !== UNLOCK_KEY_BYTES) throw invalidUnlockKeyError();
  return key;
}
