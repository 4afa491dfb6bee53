import { ShoalError } from "../../lib/index.ts";
import type { ReadTx, SwarmTables } from "../../store/index.ts";
import type { ServiceSpec } from "../../types/index.ts";
import { controlInvalid } from "./validate-service-spec.ts";

/**
 * The spec with each network it attaches to named by ID (moby's `populateNetworkID`: ID, name or
 * unique ID prefix; `network X not found` otherwise). The ingress network cannot be attached
 * explicitly (SwarmKit's `validateNetworks`).
 */
export function resolveNetworks(tx: ReadTx<SwarmTables>, spec: ServiceSpec): ServiceSpec {
  const networks = spec.TaskTemplate.Networks;
  if (!networks?.length) return spec;
  const resolved = networks.map((attachment) => {
    const network = tx.lookup("networks", attachment.Target);
    if (network.Spec.Ingress) throw controlInvalid(`Service cannot be explicitly attached to the ingress network ${JSON.stringify(network.Spec.Name)}`);
    return { ...attachment, Target: network.ID };
  });
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, Networks: resolved } };
}

/** Every secret and config a spec refers to must exist under the name given (SwarmKit's `checkSecretExistence`, `checkConfigExistence`). */
export function checkSecretsAndConfigs(tx: ReadTx<SwarmTables>, spec: ServiceSpec): void {
  const container = spec.TaskTemplate.ContainerSpec;
  const missingSecrets = (container?.Secrets ?? []).filter((ref) => tx.get("secrets", ref.SecretID)?.Spec.Name !== ref.SecretName).map((ref) => ref.SecretName);
  if (missingSecrets.length > 0) throw notFound(missingSecrets.length === 1 ? "secret" : "secrets", missingSecrets);
  const missingConfigs = (container?.Configs ?? []).filter((ref) => tx.get("configs", ref.ConfigID)?.Spec.Name !== ref.ConfigName).map((ref) => ref.ConfigName);
  if (missingConfigs.length > 0) throw notFound(missingConfigs.length === 1 ? "config" : "configs", missingConfigs);
}

function notFound(what: string, names: string[]): ShoalError {
  return controlInvalid(`${what} not found: ${names.join(", ")}`);
}
