import { Packr } from "msgpackr";
import { ShoalError } from "../lib/index.ts";
import type { StoredObject } from "../types/index.ts";
import type { StoreAction } from "./changeset.ts";
import type { StoreCipher } from "./store-cipher.ts";
import type { TableDefinition } from "./table.ts";

const packr = new Packr({ useRecords: false, moreTypes: false });

/** Format version of proposals and snapshots. */
const FORMAT = 1;

/** A stored object as it travels: with `Spec.Data` taken out and sealed when its table seals it. */
interface WireObject {
  object: StoredObject;
  sealed?: Uint8Array;
}

type WireAction = { op: "create" | "update"; table: string; object: StoredObject; sealed?: Uint8Array } | { op: "delete"; table: string; id: string };

/** Looks a table's definition up by name. */
export type DefinitionOf = (table: string) => TableDefinition | undefined;

/** Encodes a transaction's actions as one proposal. */
export function encodeProposal(actions: readonly StoreAction[], definitionOf: DefinitionOf, cipher: StoreCipher | undefined): Uint8Array {
  const wire: WireAction[] = actions.map((action) => {
    if (action.op === "delete") return action;
    const { object, sealed } = sealObject(action.object, definitionOf(action.table), cipher);
    return sealed ? { op: action.op, table: action.table, object, sealed } : { op: action.op, table: action.table, object };
  });
  return packr.pack({ v: FORMAT, actions: wire });
}

/** Decodes a proposal back into actions, opening sealed data. */
export function decodeProposal(data: Uint8Array, definitionOf: DefinitionOf, cipher: StoreCipher | undefined): StoreAction[] {
  const decoded = packr.unpack(data) as { v?: unknown; actions?: unknown };
  if (!decoded || decoded.v !== FORMAT || !Array.isArray(decoded.actions)) throw new ShoalError("internal", "malformed store proposal");
  return (decoded.actions as WireAction[]).map((action) => {
    if (action.op === "delete") return { op: "delete", table: action.table, id: action.id };
    if (action.op !== "create" && action.op !== "update") throw new ShoalError("internal", `unknown store action "${String((action as { op: unknown }).op)}"`);
    return { op: action.op, table: action.table, object: openObject(action, definitionOf(action.table), cipher) };
  });
}

/** A snapshot's content: the applied index and every table's objects. */
export interface SnapshotContent {
  index: number;
  tables: Record<string, StoredObject[]>;
}

/** Encodes the whole store deterministically: tables in definition order, objects by ID, keys sorted. */
export function encodeSnapshot(content: SnapshotContent, definitionOf: DefinitionOf, cipher: StoreCipher | undefined): Uint8Array {
  const tables: Record<string, WireObject[]> = {};
  for (const [table, objects] of Object.entries(content.tables)) {
    const definition = definitionOf(table);
    tables[table] = [...objects].sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0)).map((object) => {
      const wire = sealObject(object, definition, cipher);
      return wire.sealed ? { object: canonical(wire.object), sealed: wire.sealed } : { object: canonical(wire.object) };
    });
  }
  return packr.pack({ v: FORMAT, index: content.index, tables });
}

/** Decodes a snapshot, opening sealed data. */
export function decodeSnapshot(data: Uint8Array, definitionOf: DefinitionOf, cipher: StoreCipher | undefined): SnapshotContent {
  if (data.length === 0) return { index: 0, tables: {} };
  const decoded = packr.unpack(data) as { v?: unknown; index?: unknown; tables?: unknown };
  if (!decoded || decoded.v !== FORMAT || typeof decoded.index !== "number" || typeof decoded.tables !== "object" || !decoded.tables) {
    throw new ShoalError("internal", "malformed cluster store snapshot");
  }
  const tables: Record<string, StoredObject[]> = {};
  for (const [table, objects] of Object.entries(decoded.tables as Record<string, WireObject[]>)) {
    tables[table] = objects.map((wire) => openObject(wire, definitionOf(table), cipher));
  }
  return { index: decoded.index, tables };
}

function sealObject(object: StoredObject, definition: TableDefinition | undefined, cipher: StoreCipher | undefined): WireObject {
  const spec = (object as { Spec?: { Data?: unknown } }).Spec;
  if (!cipher || !definition?.sealsSpecData || typeof spec?.Data !== "string") return { object };
  const { Data, ...rest } = spec;
  return { object: { ...object, Spec: rest } as StoredObject, sealed: cipher.seal(Buffer.from(Data as string, "base64")) };
}

function openObject(wire: WireObject, definition: TableDefinition | undefined, cipher: StoreCipher | undefined): StoredObject {
  if (!wire.sealed) return wire.object;
  if (!cipher) throw new ShoalError("failed_precondition", `sealed ${definition?.kind ?? "object"} data needs the raft data key, and this store has none`);
  const spec = (wire.object as { Spec?: object }).Spec ?? {};
  return { ...wire.object, Spec: { ...spec, Data: Buffer.from(cipher.open(wire.sealed)).toString("base64") } } as StoredObject;
}

/** A copy with object keys sorted at every level, so equal states encode to equal bytes. */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map(canonical) as T;
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) sorted[key] = canonical(item);
    }
    return sorted as T;
  }
  return value;
}
