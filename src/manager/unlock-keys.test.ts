import { expect, test } from "bun:test";
import { caught } from "../../test/support/pki-fixtures.ts";
import { generateUnlockKey } from "../pki/index.ts";
import { defaultSwarmSpec } from "./cluster-spec.ts";
import { INVALID_KEY_PROVIDED_MESSAGE, INVALID_KEY_STRING_MESSAGE, checkUnlockKeyText, clusterUnlockKey, isUnlockKeyRefusal, nextUnlockKeys } from "./unlock-keys.ts";

const KEY = "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8";
const spec = (autolock: boolean) => ({ ...defaultSwarmSpec(), EncryptionConfig: { AutoLockManagers: autolock } });

test("the managers seal with the cluster's manager key only while autolock is on", () => {
  expect(clusterUnlockKey({ Spec: spec(true), UnlockKeys: [{ Subsystem: "manager", Key: KEY }] })).toBe(KEY);
  expect(clusterUnlockKey({ Spec: spec(false), UnlockKeys: [{ Subsystem: "manager", Key: KEY }] })).toBeNull();
  expect(clusterUnlockKey({ Spec: spec(true) })).toBeNull();
  expect(clusterUnlockKey(undefined)).toBeNull();
});

test("unlock keys follow SwarmKit's UpdateCluster: made when autolock turns on, kept, rotated on request, dropped when off", () => {
  let made = 0;
  const generate = () => `SWMKEY-1-new${++made}`;
  const on = nextUnlockKeys(undefined, true, false, generate);
  expect(on).toEqual([{ Subsystem: "manager", Key: "SWMKEY-1-new1" }]);
  expect(nextUnlockKeys(on, true, false, generate)).toBe(on);
  expect(nextUnlockKeys(on, true, true, generate)).toEqual([{ Subsystem: "manager", Key: "SWMKEY-1-new2" }]);
  expect(nextUnlockKeys(on, false, false, generate)).toBeUndefined();
  expect(nextUnlockKeys(undefined, false, true, generate)).toBeUndefined(); // rotating with autolock off does nothing
  expect(made).toBe(2);
});

test("an unlock request's key is checked as moby does: not a key at all, or a key of the wrong size", async () => {
  expect(checkUnlockKeyText(KEY)).toBe(KEY);
  const fresh = generateUnlockKey();
  expect(checkUnlockKeyText(fresh)).toBe(fresh);
  for (const text of ["", "SWMKEY-2-abc", "swmkey-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8", `${KEY}=`, "SWMKEY-1-a", 42]) {
    const error = await caught(() => checkUnlockKeyText(text));
    expect([error.code, error.message]).toEqual(["invalid_argument", INVALID_KEY_STRING_MESSAGE]);
    expect(isUnlockKeyRefusal(error)).toBe(true);
  }
  const short = await caught(() => checkUnlockKeyText("SWMKEY-1-AAAA"));
  expect([short.code, short.message]).toEqual(["permission_denied", INVALID_KEY_PROVIDED_MESSAGE]);
  expect(isUnlockKeyRefusal(short)).toBe(true);
});
