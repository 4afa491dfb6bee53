import type { ReadTx, SwarmTables } from "../../store/index.ts";
import type { PortConfig, ServiceSpec } from "../../types/index.ts";
import { controlInvalid } from "./validate-service-spec.ts";

const key = (port: PortConfig) => `${port.PublishedPort}/${port.Protocol}`;

/**
 * Refuses published ports other services hold (SwarmKit's `checkPortConflicts`): an ingress port
 * is the swarm's everywhere, so it conflicts with any other service publishing the same port and
 * protocol; host-mode ports may be shared (the scheduler keeps them apart) but not with an ingress
 * one. `serviceId` is the service being updated (its own ports do not count).
 */
export function checkPortConflicts(tx: ReadTx<SwarmTables>, spec: ServiceSpec, serviceId?: string): void {
  const ingress = new Set<string>();
  const host = new Set<string>();
  for (const port of spec.EndpointSpec?.Ports ?? []) {
    if (!port.PublishedPort) continue;
    (port.PublishMode === "host" ? host : ingress).add(key(port));
  }
  if (ingress.size === 0 && host.size === 0) return;
  for (const service of tx.find("services")) {
    if (service.ID === serviceId) continue;
    for (const port of [...(service.Spec.EndpointSpec?.Ports ?? []), ...(service.Endpoint?.Ports ?? [])]) {
      if (!port.PublishedPort) continue;
      const taken = key(port);
      const where = `'${service.Spec.Name}' (${service.ID})`;
      if (port.PublishMode === "host" && ingress.has(taken)) {
        throw controlInvalid(`port '${port.PublishedPort}' is already in use by service ${where} as a host-published port`);
      }
      if (port.PublishMode !== "host" && (ingress.has(taken) || host.has(taken))) {
        throw controlInvalid(`port '${port.PublishedPort}' is already in use by service ${where} as an ingress port`);
      }
    }
  }
}
