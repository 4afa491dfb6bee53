import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { open, type RootDatabase } from "lmdb";
import { ShoalError, newId } from "../lib/index.ts";

const ENGINE_ID_KEY = "engine-id";

/** The engine's persistent identity and small metadata, in `<data-root>/engine/meta.mdb` (LMDB). */
export interface EngineMeta {
  /** This engine's ID (`docker info` → ID), made once and kept across restarts. */
  readonly engineId: string;
  /** The engine's database (image records and tags live here too). */
  readonly db: RootDatabase<unknown, string>;
  /** Closes the LMDB environment; safe to call twice. */
  close(): Promise<void>;
}

/** Opens (creating when new) the engine metadata database under `dataRoot`. */
export async function openEngineMeta(dataRoot: string): Promise<EngineMeta> {
  const dir = join(dataRoot, "engine");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let db: RootDatabase<unknown, string>;
  try {
    db = open<unknown, string>({ path: join(dir, "meta.mdb"), compression: false, encoding: "msgpack" });
  } catch (error) {
    throw new ShoalError("internal", `cannot open the engine database in ${dir}: ${String(error)}`, { cause: error });
  }
  const stored = db.get(ENGINE_ID_KEY);
  let engineId: string;
  if (typeof stored === "string") engineId = stored;
  else {
    engineId = newId();
    await db.put(ENGINE_ID_KEY, engineId);
    await db.flushed;
  }
  let closed = false;
  return {
    engineId,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
