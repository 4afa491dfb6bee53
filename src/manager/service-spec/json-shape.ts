/**
 * A small JSON decoder in the manner of Go's `encoding/json` for the Engine API's request bodies:
 * fields of the wrong type are refused with Go's words (the daemon's answer), unknown fields are
 * dropped, `null` means "absent". Shapes are plain data (see `service-spec-shape.ts`).
 */
import { ShoalError } from "../../lib/index.ts";

/** What a JSON value must be. */
export type Shape =
  | "string"
  | "bool"
  /** A signed integer (Go int64; durations in nanoseconds). */
  | "int"
  /** A non-negative integer (Go uint64). */
  | "uint"
  /** Any number (Go float64). */
  | "float"
  /** `map[string]string`. */
  | "labels"
  /** Any JSON object, kept as it is. */
  | "object"
  /** Anything, kept as it is. */
  | "any"
  | { list: Shape }
  | { struct: string; fields: Readonly<Record<string, Shape>> };

const GO_TYPES: Record<string, string> = { string: "string", bool: "bool", int: "int64", uint: "uint64", float: "float64", labels: "map[string]string", object: "object", any: "interface {}" };

function goType(shape: Shape): string {
  if (typeof shape === "string") return GO_TYPES[shape]!;
  if ("list" in shape) return `[]${goType(shape.list)}`;
  return `swarm.${shape.struct}`;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return `number ${value}`;
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

function mismatch(value: unknown, shape: Shape, path: string): ShoalError {
  return new ShoalError("invalid_argument", `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${path} of type ${goType(shape)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes `value` as `shape`: a copy with only known fields and no nulls (undefined for null), or
 * invalid_argument naming the field (`path` is the Go path so far, e.g. `ServiceSpec.Mode`).
 */
export function decodeShape(value: unknown, shape: Shape, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (shape === "any") return structuredClone(value);
  if (shape === "string" || shape === "bool") {
    if (typeof value !== (shape === "string" ? "string" : "boolean")) throw mismatch(value, shape, path);
    return value;
  }
  if (shape === "int" || shape === "uint" || shape === "float") {
    if (typeof value !== "number" || !Number.isFinite(value)) throw mismatch(value, shape, path);
    if (shape !== "float" && !Number.isSafeInteger(value)) throw mismatch(value, shape, path);
    if (shape === "uint" && value < 0) throw mismatch(value, shape, path);
    return value;
  }
  if (shape === "labels") {
    if (!isPlainObject(value)) throw mismatch(value, shape, path);
    for (const item of Object.values(value)) if (typeof item !== "string") throw mismatch(item, "string", `${path}`);
    return { ...value };
  }
  if (shape === "object") {
    if (!isPlainObject(value)) throw mismatch(value, shape, path);
    return structuredClone(value);
  }
  if ("list" in shape) {
    if (!Array.isArray(value)) throw mismatch(value, shape, path);
    return value.map((item) => decodeShape(item, shape.list, path) ?? zeroOf(shape.list));
  }
  if (!isPlainObject(value)) throw mismatch(value, shape, path);
  const result: Record<string, unknown> = {};
  for (const [name, fieldShape] of Object.entries(shape.fields)) {
    const decoded = decodeShape(value[name], fieldShape, `${path}.${name}`);
    if (decoded !== undefined) result[name] = decoded;
  }
  return result;
}

/** What Go puts in a list for a JSON `null` item. */
function zeroOf(shape: Shape): unknown {
  if (shape === "string") return "";
  if (shape === "bool") return false;
  if (shape === "int" || shape === "uint" || shape === "float") return 0;
  if (typeof shape === "object" && "list" in shape) return [];
  return {};
}
