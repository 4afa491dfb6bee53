/**
 * Secrets and configs as the Engine API shows them (moby `daemon/cluster/convert/secret.go`,
 * `config.go`): moby's field order, labels always a map (sorted, as Go writes maps), a secret never
 * with its data.
 */
import type { Config, Secret } from "../../types/index.ts";

function sortedLabels(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A secret without `Spec.Data` (SwarmKit clears it in every answer). */
export function publicSecret(secret: Secret): Secret {
  const { Name, Labels, Driver, Templating } = secret.Spec;
  return {
    ID: secret.ID,
    Version: secret.Version,
    CreatedAt: secret.CreatedAt,
    UpdatedAt: secret.UpdatedAt,
    Spec: { Name, Labels: sortedLabels(Labels), ...(Driver ? { Driver } : {}), ...(Templating ? { Templating } : {}) },
  };
}

/** A config with its data (configs are not secret). */
export function publicConfig(config: Config): Config {
  const { Name, Labels, Data, Templating } = config.Spec;
  return {
    ID: config.ID,
    Version: config.Version,
    CreatedAt: config.CreatedAt,
    UpdatedAt: config.UpdatedAt,
    Spec: { Name, Labels: sortedLabels(Labels), Data, ...(Templating ? { Templating } : {}) },
  };
}
