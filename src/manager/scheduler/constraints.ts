/**
 * Placement constraints (`--constraint node.labels.zone==east`), parsed and matched as SwarmKit's
 * `manager/constraint` does: keys are compared case-insensitively, label names keep their case,
 * values are compared case-insensitively and whole, a missing attribute or label reads as "".
 */
import { BlockList, isIP } from "node:net";
import { ShoalError } from "../../lib/index.ts";
import type { Node } from "../../types/index.ts";

/** The key prefix of node label constraints (`node.labels.<name>`). */
export const NODE_LABEL_PREFIX = "node.labels.";
/** The key prefix of engine label constraints (`engine.labels.<name>`). */
export const ENGINE_LABEL_PREFIX = "engine.labels.";

/** The operators, in the order an expression is searched for them. */
const OPERATORS = ["==", "!="] as const;

/** A constraint's operator. */
export type ConstraintOperator = (typeof OPERATORS)[number];

/** One parsed constraint: `key operator value`, trimmed, as written. */
export interface Constraint {
  readonly key: string;
  readonly operator: ConstraintOperator;
  readonly value: string;
}

const KEY_PATTERN = /^[a-z_][a-z0-9\-_.]+$/i;
/** Letters, digits and a few punctuation marks; no operator characters (`=`, `!`, `<`, `>`, `~`). Go's `\s` is ASCII only. */
const VALUE_PATTERN = /^[a-z0-9:\-_\t\n\f\r .*()?+[\]\\^$|/]+$/i;

/**
 * Parses constraint expressions. Throws invalid_argument with SwarmKit's texts: "constraint expected
 * one operator from ==, !=", "key 'X' is invalid", "value 'X' is invalid".
 */
export function parseConstraints(expressions: readonly string[]): Constraint[] {
  return expressions.map(parseConstraint);
}

function parseConstraint(expression: string): Constraint {
  for (const operator of OPERATORS) {
    const at = expression.indexOf(operator);
    if (at < 0) continue;
    const key = expression.slice(0, at).trim();
    if (!KEY_PATTERN.test(key)) throw new ShoalError("invalid_argument", `key '${key}' is invalid`);
    const value = expression.slice(at + operator.length).trim();
    if (!VALUE_PATTERN.test(value)) throw new ShoalError("invalid_argument", `value '${value}' is invalid`);
    return { key, operator, value };
  }
  throw new ShoalError("invalid_argument", `constraint expected one operator from ${OPERATORS.join(", ")}`);
}

/** True when `node` satisfies every constraint (an unknown key never matches). */
export function matchesConstraints(node: Node, constraints: readonly Constraint[]): boolean {
  for (const constraint of constraints) {
    if (!matchesConstraint(node, constraint)) return false;
  }
  return true;
}

function matchesConstraint(node: Node, constraint: Constraint): boolean {
  const key = constraint.key.toLowerCase();
  switch (key) {
    case "node.id":
      return compare(constraint, node.ID);
    case "node.hostname":
      return compare(constraint, node.Description?.Hostname ?? "");
    case "node.role":
      return compare(constraint, node.Spec.Role);
    case "node.platform.os":
      return compare(constraint, node.Description?.Platform?.OS ?? "");
    case "node.platform.arch":
      return compare(constraint, node.Description?.Platform?.Architecture ?? "");
    case "node.ip":
      return matchesAddress(constraint, node.Status.Addr ?? "");
  }
  if (key.length > NODE_LABEL_PREFIX.length && key.startsWith(NODE_LABEL_PREFIX)) {
    return compare(constraint, node.Spec.Labels?.[constraint.key.slice(NODE_LABEL_PREFIX.length)] ?? "");
  }
  if (key.length > ENGINE_LABEL_PREFIX.length && key.startsWith(ENGINE_LABEL_PREFIX)) {
    return compare(constraint, node.Description?.Engine?.Labels?.[constraint.key.slice(ENGINE_LABEL_PREFIX.length)] ?? "");
  }
  return false;
}

/** Whole-string, case-insensitive comparison under the constraint's operator. */
function compare(constraint: Constraint, actual: string): boolean {
  const equal = constraint.value.toLowerCase() === actual.toLowerCase();
  return constraint.operator === "==" ? equal : !equal;
}

/** `node.ip == 10.0.0.5` or `node.ip != 10.0.0.0/8`: an address or a subnet; a malformed one never matches. */
function matchesAddress(constraint: Constraint, address: string): boolean {
  const family = isIP(address);
  const list = new BlockList();
  const slash = constraint.value.indexOf("/");
  const base = slash < 0 ? constraint.value : constraint.value.slice(0, slash);
  const baseFamily = isIP(base);
  if (baseFamily === 0) return false;
  const type = baseFamily === 4 ? "ipv4" : "ipv6";
  if (slash < 0) {
    list.addAddress(base, type);
  } else {
    const prefix = Number(constraint.value.slice(slash + 1));
    if (!/^\d+$/.test(constraint.value.slice(slash + 1)) || prefix > (baseFamily === 4 ? 32 : 128)) return false;
    list.addSubnet(base, prefix, type);
  }
  const within = family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  return constraint.operator === "==" ? within : !within;
}
