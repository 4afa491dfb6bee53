/**
 * The managers' config API (SwarmKit's control API `manager/controlapi/config.go`, with moby's
 * lookups from `daemon/cluster/configs.go`): what `POST /configs/create`, `GET /configs`,
 * `GET /configs/{id}`, `POST /configs/{id}/update` and `DELETE /configs/{id}` do on a manager.
 * Unlike secrets, configs are shown with their data.
 */
import type { ClusterStore } from "../store/index.ts";
import type { Config } from "../types/index.ts";
import type { PayloadCreateResult } from "./secret-control.ts";
import { CONFIG_FILTERS, selectPayloads } from "./secrets-configs/payload-filters.ts";
import { refuseIfInUse } from "./secrets-configs/payload-in-use.ts";
import { checkLabelsOnlyUpdate, decodePayloadSpec, validateConfigSpec } from "./secrets-configs/payload-spec.ts";
import { publicConfig } from "./secrets-configs/payload-view.ts";

/** Configs on a manager: each write one store transaction (one raft proposal), SwarmKit's checks and texts. */
export class ConfigControl {
  readonly #store: ClusterStore;

  constructor(store: ClusterStore) {
    this.#store = store;
  }

  /** Creates a config from a `ConfigSpec` body; a taken name is `config NAME already exists` (the store's text). */
  async create(body: unknown): Promise<PayloadCreateResult> {
    const spec = validateConfigSpec(decodePayloadSpec("config", body));
    const config = await this.#store.update((tx) => tx.create("configs", { Spec: spec }));
    return { ID: config.ID };
  }

  /** Configs passing Docker's config filters (id, name, label). */
  list(filters: Record<string, string[]>): Config[] {
    return this.#store.view((tx) => selectPayloads((selector) => tx.find("configs", selector), filters, CONFIG_FILTERS).map(publicConfig));
  }

  /** A config by ID, name or unique ID prefix, with its data. */
  inspect(ref: string): Config {
    return publicConfig(this.#store.view((tx) => tx.lookup("configs", ref)));
  }

  /**
   * Replaces a config's labels; the name and the data must stay as they are ("only updates to
   * Labels are allowed"). `version` is the `Version.Index` the caller read: a stale one is refused.
   */
  async update(ref: string, version: number, body: unknown): Promise<void> {
    const requested = decodePayloadSpec("config", body);
    await this.#store.update((tx) => {
      const current = tx.lookup("configs", ref);
      checkLabelsOnlyUpdate(current.Spec, requested);
      tx.update("configs", { ...current, Version: { Index: version }, Spec: { ...current.Spec, Labels: requested.Labels } });
    });
  }

  /** Removes a config no service uses. */
  async remove(ref: string): Promise<void> {
    await this.#store.update((tx) => {
      const config = tx.lookup("configs", ref);
      refuseIfInUse(tx, "config", config);
      tx.delete("configs", config.ID);
    });
  }
}
