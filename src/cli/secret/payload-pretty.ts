/**
 * `secret inspect --pretty` and `config inspect --pretty`: docker's secretInspectPrettyTemplate and
 * configInspectPrettyTemplate line for line (their odd spacing and tabs included), times as Go
 * prints a time.Time through PrettyPrint (`2026-03-01 10:00:00.5 +0000 utc`).
 */
import type { Config, Secret } from "../../types/index.ts";
import { prettyPrint } from "../node/node-ref.ts";
import { goTimeString } from "../node/pretty.ts";

function labelLines(labels: Record<string, string> | undefined): string[] {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? [] : ["Labels:", ...entries.map(([key, value]) => ` - ${key}${value ? `=${value}` : ""}`)];
}

/** One secret, as `docker secret inspect --pretty` prints it. */
export function prettySecret(secret: Secret): string {
  return [
    `ID:              ${secret.ID}`,
    `Name:              ${secret.Spec.Name}`,
    ...labelLines(secret.Spec.Labels),
    `Driver:            ${secret.Spec.Driver?.Name ?? ""}`,
    `Created at:        ${prettyPrint(goTimeString(secret.CreatedAt))}`,
    `Updated at:        ${prettyPrint(goTimeString(secret.UpdatedAt))}`,
  ].join("\n") + "\n";
}

/** One config, as `docker config inspect --pretty` prints it: its data as text at the end. */
export function prettyConfig(config: Config): string {
  return [
    `ID:\t\t\t${config.ID}`,
    `Name:\t\t\t${config.Spec.Name}`,
    ...labelLines(config.Spec.Labels),
    `Created at:            \t${prettyPrint(goTimeString(config.CreatedAt))}`,
    `Updated at:            \t${prettyPrint(goTimeString(config.UpdatedAt))}`,
    "Data:",
    Buffer.from(config.Spec.Data ?? "", "base64").toString("utf8"),
  ].join("\n") + "\n";
}
