import { ShoalError } from "../lib/index.ts";
import { parseDigest, type Digest } from "./digest.ts";
import type { ImageRecord } from "./image-store.ts";

/** The parts of an OCI/Docker image config (the JSON whose digest is the image ID) shoal uses. */
export interface ImageConfig {
  created: string;
  architecture: string;
  os: string;
  /** The runtime defaults: Env, Entrypoint, Cmd, WorkingDir, User, ExposedPorts… */
  config: Record<string, unknown>;
  diffIds: Digest[];
}

/** Parses an image config's bytes, refusing what is not JSON or lists malformed diff IDs. */
export function parseImageConfig(bytes: Uint8Array, what: string): ImageConfig {
  let value: { created?: string; architecture?: string; os?: string; config?: Record<string, unknown>; rootfs?: { diff_ids?: unknown[] } };
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (error) {
    throw new ShoalError("invalid_argument", `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    created: value.created ?? new Date(0).toISOString(),
    architecture: value.architecture ?? "amd64",
    os: value.os ?? "linux",
    config: value.config ?? {},
    diffIds: (value.rootfs?.diff_ids ?? []).map((id) => parseDigest(String(id))),
  };
}

/** The image record of a parsed config. */
export function imageRecord(id: Digest, config: ImageConfig, naming: { RepoTags: string[]; RepoDigests: string[] }, size: number): ImageRecord {
  return { ID: id, ...naming, Created: config.created, Architecture: config.architecture, Os: config.os, Config: config.config, Layers: config.diffIds, Size: size };
}
