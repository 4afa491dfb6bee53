import { ShoalError } from "../lib/index.ts";

/** SwarmKit's text for a write made from a stale read (`Version.Index` moved on). */
export const SEQUENCE_CONFLICT = "update out of sequence";

/** A stale `Version.Index`: the object changed since the caller read it; read it again and retry. */
export function sequenceConflict(kind: string, id: string): ShoalError {
  return new ShoalError("sequence_conflict", `rpc error: code = Unknown desc = ${SEQUENCE_CONFLICT}`, { cause: { kind, id } });
}

/** The object does not exist (SwarmKit: "object does not exist"). */
export function notFound(kind: string, id: string): ShoalError {
  return new ShoalError("not_found", `${kind} ${id} not found`);
}

/** An object with this ID already exists (SwarmKit: "object already exists"). */
export function alreadyExistsById(kind: string, id: string): ShoalError {
  return new ShoalError("already_exists", `rpc error: code = AlreadyExists desc = object already exists: ${kind} ${id}`);
}

/** A table name the store does not have. */
export function unknownTable(table: string): ShoalError {
  return new ShoalError("invalid_argument", `the cluster store has no table "${table}"`);
}
