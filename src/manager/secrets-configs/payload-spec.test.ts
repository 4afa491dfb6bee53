import { describe, expect, test } from "bun:test";
import { ShoalError } from "../../lib/index.ts";
import { INVALID_PAYLOAD_NAME, MAX_CONFIG_SIZE, MAX_SECRET_SIZE, ONLY_LABELS_MESSAGE, checkLabelsOnlyUpdate, decodePayloadSpec, validateConfigSpec, validateSecretSpec } from "./payload-spec.ts";

const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");
const secretBody = (extra: Record<string, unknown> = {}) => ({ Name: "pw", Labels: {}, Data: b64("hunter2"), ...extra });

/** What `fn` throws, as `code: message`. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ShoalError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("expected a refusal");
}

const secret = (body: unknown) => validateSecretSpec(decodePayloadSpec("secret", body));
const config = (body: unknown) => validateConfigSpec(decodePayloadSpec("config", body));
const invalid = (desc: string) => `invalid_argument: rpc error: code = InvalidArgument desc = ${desc}`;

describe("secret and config names", () => {
  test("1 to 64 of [a-zA-Z0-9-_.], starting and ending alphanumeric, are accepted", () => {
    for (const name of ["a", "pw", "db.password", "A-b_c.9", "x".repeat(64)]) {
      expect(secret(secretBody({ Name: name })).Name).toBe(name);
      expect(config(secretBody({ Name: name })).Name).toBe(name);
    }
  });

  test("other names are refused with SwarmKit's texts", () => {
    expect(refusal(() => secret(secretBody({ Name: "" })))).toBe(invalid("name must be provided"));
    expect(refusal(() => secret({ Data: b64("x") }))).toBe(invalid("name must be provided"));
    for (const name of ["-pw", "pw.", "_a", "p w", "pw/1", "pä", "x".repeat(65)]) {
      expect(refusal(() => secret(secretBody({ Name: name })))).toBe(invalid(INVALID_PAYLOAD_NAME));
      expect(refusal(() => config(secretBody({ Name: name })))).toBe(invalid(INVALID_PAYLOAD_NAME));
    }
    expect(INVALID_PAYLOAD_NAME).toBe("invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]");
  });
});

describe("data", () => {
  test("a secret holds 1 byte up to 500 KiB less one; a config up to 1000 KiB less one", () => {
    expect(secret(secretBody({ Data: b64(Buffer.alloc(MAX_SECRET_SIZE - 1, 1)) })).Data).toBe(b64(Buffer.alloc(MAX_SECRET_SIZE - 1, 1)));
    expect(refusal(() => secret(secretBody({ Data: b64(Buffer.alloc(MAX_SECRET_SIZE, 1)) })))).toBe(invalid("secret data must be larger than 0 and less than 512000 bytes"));
    expect(refusal(() => secret(secretBody({ Data: "" })))).toBe(invalid("secret data must be larger than 0 and less than 512000 bytes"));
    expect(refusal(() => secret({ Name: "pw" }))).toBe(invalid("secret data must be larger than 0 and less than 512000 bytes"));
    expect(config(secretBody({ Data: b64(Buffer.alloc(MAX_CONFIG_SIZE - 1, 1)) })).Name).toBe("pw");
    expect(refusal(() => config(secretBody({ Data: b64(Buffer.alloc(MAX_CONFIG_SIZE, 1)) })))).toBe(invalid("config data must be larger than 0 and less than 1024000 bytes"));
    // White space is data too (current SwarmKit no longer refuses it).
    expect(secret(secretBody({ Data: b64("  \n") })).Data).toBe(b64("  \n"));
  });

  test("data that is not padded base64 is refused where Go's decoder stops", () => {
    const offset = (data: string) => refusal(() => decodePayloadSpec("secret", secretBody({ Data: data })));
    expect(offset("abc")).toBe("invalid_argument: invalid JSON: illegal base64 data at input byte 0");
    expect(offset("ab!d")).toBe("invalid_argument: invalid JSON: illegal base64 data at input byte 2");
    expect(offset("abcde")).toBe("invalid_argument: invalid JSON: illegal base64 data at input byte 4");
    expect(offset("a=bcdefg")).toBe("invalid_argument: invalid JSON: illegal base64 data at input byte 1");
    expect(decodePayloadSpec("secret", secretBody({ Data: "aGVs\nbG8=" }))).toMatchObject({ Data: "aGVsbG8=", size: 5 });
  });

  test("fields of the wrong type and bodies that are not objects get Go's words", () => {
    expect(refusal(() => decodePayloadSpec("secret", { Name: 5 }))).toBe("invalid_argument: json: cannot unmarshal number 5 into Go struct field SecretSpec.Name of type string");
    expect(refusal(() => decodePayloadSpec("config", { Name: "c", Labels: [] }))).toBe("invalid_argument: json: cannot unmarshal array into Go struct field ConfigSpec.Labels of type map[string]string");
    expect(refusal(() => decodePayloadSpec("secret", ["pw"]))).toBe("invalid_argument: invalid JSON: json: cannot unmarshal array into Go value of type swarm.SecretSpec");
    expect(decodePayloadSpec("secret", undefined)).toEqual({ Name: "", Labels: {}, size: 0 });
  });
});

describe("drivers and templating", () => {
  test("a secret driver is refused: one without a name as SwarmKit does, a named one as unsupported", () => {
    expect(refusal(() => secret(secretBody({ Driver: {} })))).toBe(invalid("secret driver must have a name"));
    expect(refusal(() => secret({ Name: "pw", Driver: { Name: "vault" } }))).toBe(
      invalid('secret driver "vault" is not supported: shoal has no secret store plugins; create the secret from a file or standard input instead'),
    );
    expect(secret(secretBody({ Driver: null })).Name).toBe("pw");
  });

  test("templating is refused for both kinds; a Driver in a config body is dropped as moby drops it", () => {
    expect(refusal(() => secret(secretBody({ Templating: { Name: "golang" } })))).toBe(
      invalid('secret templating driver "golang" is not supported: shoal delivers secret data as it is stored; create the secret without --template-driver'),
    );
    expect(refusal(() => config(secretBody({ Templating: { Name: "golang" } })))).toBe(
      invalid('config templating driver "golang" is not supported: shoal delivers config data as it is stored; create the config without --template-driver'),
    );
    expect(config(secretBody({ Driver: { Name: "vault" } }))).toEqual({ Name: "pw", Labels: {}, Data: b64("hunter2") });
  });
});

describe("updates", () => {
  const current = { Name: "pw", Labels: { a: "1" }, Data: b64("hunter2") };
  test("only labels may change: same name, and data absent or the same bytes", () => {
    checkLabelsOnlyUpdate(current, decodePayloadSpec("secret", { Name: "pw", Labels: { b: "2" } }));
    checkLabelsOnlyUpdate(current, decodePayloadSpec("secret", { Name: "pw", Data: b64("hunter2") }));
    for (const body of [{ Name: "PW" }, { Name: "other" }, {}, { Name: "pw", Data: b64("hunter3") }]) {
      expect(refusal(() => checkLabelsOnlyUpdate(current, decodePayloadSpec("secret", body)))).toBe(invalid(ONLY_LABELS_MESSAGE));
    }
  });
});
