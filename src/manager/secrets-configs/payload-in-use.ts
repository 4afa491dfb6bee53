import { ShoalError } from "../../lib/index.ts";
import type { ReadTx, SwarmTables } from "../../store/index.ts";

/**
 * Refuses to remove a secret or config that services still refer to, with SwarmKit's text
 * (`secret 'pw' is in use by the following service: web`); tasks of removed services do not count.
 */
export function refuseIfInUse(tx: ReadTx<SwarmTables>, kind: "secret" | "config", object: { ID: string; Spec: { Name: string } }): void {
  const users = tx.find("services", { index: kind, key: object.ID });
  if (users.length === 0) return;
  const names = users.map((service) => service.Spec.Name);
  const services = names.length === 1 ? "service" : "services";
  throw new ShoalError("invalid_argument", `rpc error: code = InvalidArgument desc = ${kind} '${object.Spec.Name}' is in use by the following ${services}: ${names.join(", ")}`);
}
