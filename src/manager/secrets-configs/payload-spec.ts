/**
 * Secret and config specs from a request body: decoded as moby's daemon decodes them (Go's
 * `encoding/json`, `Data` as padded base64), then checked as SwarmKit's control API checks them
 * (`manager/controlapi/secret.go`, `config.go`, `common.go`, `api/validation/secrets.go`), with its
 * texts as the docker CLI shows them after the gRPC hop.
 */
import { ShoalError } from "../../lib/index.ts";
import type { ConfigSpec, Driver, SecretSpec } from "../../types/index.ts";
import { decodeShape, type Shape } from "../service-spec/json-shape.ts";
import { controlInvalid } from "../service-spec/validate-service-spec.ts";

/** Which of the two kinds of payload object a spec describes. */
export type PayloadKind = "secret" | "config";

/** The largest secret is one byte short of this (SwarmKit's `MaxSecretSize`, 500 KiB). */
export const MAX_SECRET_SIZE = 500 * 1024;
/** The largest config is one byte short of this (SwarmKit's `MaxConfigSize`, 1000 KiB). */
export const MAX_CONFIG_SIZE = 1000 * 1024;

/** SwarmKit's text for a name that breaks {@link PAYLOAD_NAME}. */
export const INVALID_PAYLOAD_NAME = "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]";

/** SwarmKit's rule for secret and config names (at most 64 characters as well). */
const PAYLOAD_NAME = /^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/;

const DRIVER_SHAPE: Shape = { struct: "Driver", fields: { Name: "string", Options: "labels" } };
const SPEC_SHAPES: Record<PayloadKind, Shape> = {
  secret: { struct: "SecretSpec", fields: { Name: "string", Labels: "labels", Data: "string", Driver: DRIVER_SHAPE, Templating: DRIVER_SHAPE } },
  // moby's ConfigSpec has no Driver: one in the body is dropped as an unknown field.
  config: { struct: "ConfigSpec", fields: { Name: "string", Labels: "labels", Data: "string", Templating: DRIVER_SHAPE } },
};

/** A body decoded, not yet checked: what SwarmKit's request would carry. */
export interface DecodedPayloadSpec {
  Name: string;
  Labels: Record<string, string>;
  /** The bytes, base64 (padded, as sent); absent when the body had none. */
  Data?: string;
  /** How many bytes `Data` holds. */
  size: number;
  Driver?: Driver;
  Templating?: Driver;
}

/**
 * Where Go's padded base64 decoder (which `encoding/json` uses for `[]byte`) stops on `text`, or
 * undefined when it decodes. Line breaks are skipped, as Go skips them.
 */
function base64ErrorOffset(text: string): number | undefined {
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  const stray = text.search(/[^A-Za-z0-9+/=]/);
  if (stray >= 0) return stray;
  const padding = text.indexOf("=");
  const complete = text.length - (text.length % 4);
  return padding >= 0 && padding < complete - 2 ? padding : complete;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes a `SecretSpec` or `ConfigSpec` body (an empty body is an empty spec, as moby reads it):
 * fields of the wrong type and data that is not base64 are refused with Go's words.
 */
export function decodePayloadSpec(kind: PayloadKind, body: unknown): DecodedPayloadSpec {
  const shape = SPEC_SHAPES[kind];
  const typeName = kind === "secret" ? "SecretSpec" : "ConfigSpec";
  if (body !== undefined && body !== null && !isPlainObject(body)) {
    const what = Array.isArray(body) ? "array" : typeof body === "number" ? "number" : typeof body;
    throw new ShoalError("invalid_argument", `invalid JSON: json: cannot unmarshal ${what} into Go value of type swarm.${typeName}`);
  }
  const decoded = (decodeShape(body ?? {}, shape, typeName) ?? {}) as Partial<DecodedPayloadSpec>;
  let size = 0;
  if (decoded.Data !== undefined) {
    decoded.Data = decoded.Data.replace(/[\r\n]/g, "");
    const offset = base64ErrorOffset(decoded.Data);
    if (offset !== undefined) throw new ShoalError("invalid_argument", `invalid JSON: illegal base64 data at input byte ${offset}`);
    size = Buffer.byteLength(decoded.Data, "base64");
  }
  return { ...decoded, Name: decoded.Name ?? "", Labels: decoded.Labels ?? {}, size };
}

/** SwarmKit's `validateConfigOrSecretAnnotations`. */
function validateName(name: string): void {
  if (name === "") throw controlInvalid("name must be provided");
  if (name.length > 64 || !PAYLOAD_NAME.test(name)) throw controlInvalid(INVALID_PAYLOAD_NAME);
}

/** The data must be 1 byte up to one short of `max` (SwarmKit's texts). */
function validateSize(kind: PayloadKind, size: number, max: number): void {
  if (size < 1 || size >= max) throw controlInvalid(`${kind} data must be larger than 0 and less than ${max} bytes`);
}

/**
 * Shoal's agents deliver the data as stored: they expand no templates (SwarmKit's `golang`
 * templating is done by its agents), so a spec asking for one is refused here rather than failing
 * every task that uses it.
 */
function refuseTemplating(kind: PayloadKind, templating: Driver | undefined): void {
  if (templating === undefined) return;
  throw controlInvalid(`${kind} templating driver ${JSON.stringify(templating.Name ?? "")} is not supported: shoal delivers ${kind} data as it is stored; create the ${kind} without --template-driver`);
}

/** A new secret's spec, checked: a valid name, 1 byte to 500 KiB of data, no driver plugin and no templating. */
export function validateSecretSpec(spec: DecodedPayloadSpec): SecretSpec {
  validateName(spec.Name);
  if (spec.Driver !== undefined) {
    if (!spec.Driver.Name) throw controlInvalid("secret driver must have a name");
    // SwarmKit would look the plugin up; shoal runs no plugins.
    throw controlInvalid(`secret driver ${JSON.stringify(spec.Driver.Name)} is not supported: shoal has no secret store plugins; create the secret from a file or standard input instead`);
  }
  validateSize("secret", spec.size, MAX_SECRET_SIZE);
  refuseTemplating("secret", spec.Templating);
  return { Name: spec.Name, Labels: spec.Labels, Data: spec.Data! };
}

/** A new config's spec, checked: a valid name, 1 byte to 1000 KiB of data, no templating. */
export function validateConfigSpec(spec: DecodedPayloadSpec): ConfigSpec {
  validateName(spec.Name);
  validateSize("config", spec.size, MAX_CONFIG_SIZE);
  refuseTemplating("config", spec.Templating);
  return { Name: spec.Name, Labels: spec.Labels, Data: spec.Data! };
}

/** SwarmKit's text when an update would change more than the labels. */
export const ONLY_LABELS_MESSAGE = "only updates to Labels are allowed";

/**
 * SwarmKit's update rule for secrets and configs: the name must stay (compared exactly) and data,
 * when sent, must be the stored bytes; only the labels change.
 */
export function checkLabelsOnlyUpdate(current: { Name: string; Data?: string }, requested: DecodedPayloadSpec): void {
  const sameData = requested.Data === undefined || Buffer.from(requested.Data, "base64").equals(Buffer.from(current.Data ?? "", "base64"));
  if (current.Name !== requested.Name || !sameData) throw controlInvalid(ONLY_LABELS_MESSAGE);
}
