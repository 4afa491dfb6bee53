/**
 * Secrets and configs (moby `api/types/swarm/{secret,config}.go`). `Spec.Data` is base64 as in the
 * API's JSON; the API never returns a secret's data.
 */
import type { Annotations, Driver, StoredObject } from "./swarm-meta.ts";

/** Where a secret or config appears in a container. */
export interface FileTarget {
  Name: string;
  UID: string;
  GID: string;
  Mode: number;
}

/** A secret's desired state. */
export interface SecretSpec extends Annotations {
  /** The secret's bytes, base64. */
  Data?: string;
  Driver?: Driver;
  Templating?: Driver;
}

/** A swarm secret. */
export interface Secret extends StoredObject {
  Spec: SecretSpec;
}

/** A config's desired state. */
export interface ConfigSpec extends Annotations {
  /** The config's bytes, base64. */
  Data: string;
  Templating?: Driver;
}

/** A swarm config. */
export interface Config extends StoredObject {
  Spec: ConfigSpec;
}

/** A task's use of a secret. */
export interface SecretReference {
  File?: FileTarget;
  SecretID: string;
  SecretName: string;
}

/** A task's use of a config (a file, or a runtime credential spec). */
export interface ConfigReference {
  File?: FileTarget;
  Runtime?: Record<string, never>;
  ConfigID: string;
  ConfigName: string;
}
