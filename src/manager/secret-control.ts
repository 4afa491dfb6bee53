/**
 * The managers' secret API (SwarmKit's control API `manager/controlapi/secret.go`, with moby's
 * lookups from `daemon/cluster/secrets.go`): what `POST /secrets/create`, `GET /secrets`,
 * `GET /secrets/{id}`, `POST /secrets/{id}/update` and `DELETE /secrets/{id}` do on a manager.
 * The store seals `Spec.Data` at rest; no answer ever carries it.
 */
import type { ClusterStore } from "../store/index.ts";
import type { Secret } from "../types/index.ts";
import { selectPayloads, SECRET_FILTERS } from "./secrets-configs/payload-filters.ts";
import { refuseIfInUse } from "./secrets-configs/payload-in-use.ts";
import { checkLabelsOnlyUpdate, decodePayloadSpec, validateSecretSpec } from "./secrets-configs/payload-spec.ts";
import { publicSecret } from "./secrets-configs/payload-view.ts";

/** What `POST /secrets/create` and `POST /configs/create` answer. */
export interface PayloadCreateResult {
  ID: string;
}

/** Secrets on a manager: each write one store transaction (one raft proposal), SwarmKit's checks and texts. */
export class SecretControl {
  readonly #store: ClusterStore;

  constructor(store: ClusterStore) {
    this.#store = store;
  }

  /** Creates a secret from a `SecretSpec` body; a taken name is `secret NAME already exists` (the store's text). */
  async create(body: unknown): Promise<PayloadCreateResult> {
    const spec = validateSecretSpec(decodePayloadSpec("secret", body));
    const secret = await this.#store.update((tx) => tx.create("secrets", { Spec: spec }));
    return { ID: secret.ID };
  }

  /** Secrets passing Docker's secret filters (id, name, names, label), without their data. */
  list(filters: Record<string, string[]>): Secret[] {
    return this.#store.view((tx) => selectPayloads((selector) => tx.find("secrets", selector), filters, SECRET_FILTERS).map(publicSecret));
  }

  /** A secret by ID, name or unique ID prefix, without its data. */
  inspect(ref: string): Secret {
    return publicSecret(this.#store.view((tx) => tx.lookup("secrets", ref)));
  }

  /**
   * Replaces a secret's labels; the name and the data must stay as they are ("only updates to
   * Labels are allowed"). `version` is the `Version.Index` the caller read: a stale one is refused.
   */
  async update(ref: string, version: number, body: unknown): Promise<void> {
    const requested = decodePayloadSpec("secret", body);
    await this.#store.update((tx) => {
      const current = tx.lookup("secrets", ref);
      checkLabelsOnlyUpdate(current.Spec, requested);
      tx.update("secrets", { ...current, Version: { Index: version }, Spec: { ...current.Spec, Labels: requested.Labels } });
    });
  }

  /** Removes a secret no service uses. */
  async remove(ref: string): Promise<void> {
    await this.#store.update((tx) => {
      const secret = tx.lookup("secrets", ref);
      refuseIfInUse(tx, "secret", secret);
      tx.delete("secrets", secret.ID);
    });
  }
}
