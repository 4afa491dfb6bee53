import type { Node } from "../../types/index.ts";
import { bytesSize } from "../format/units.ts";
import { prettyPrint } from "./node-ref.ts";

/** An RFC 3339 time as Go's time.Time prints it (`2024-05-01 10:00:00.5 +0000 UTC`). */
export function goTimeString(rfc3339: string | undefined): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(rfc3339 ?? "");
  if (!match) return "0001-01-01 00:00:00 +0000 UTC";
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  const zone = match[4]!.toUpperCase() === "Z" ? "+0000 UTC" : `${match[4]!.replace(":", "")} ${match[4]!.replace(":", "")}`;
  return `${match[1]} ${match[2]}${fraction === "." ? "" : fraction} ${zone}`;
}

const sortedEntries = (map: Record<string, string> | null | undefined) => Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** `node inspect --pretty` for one node, line for line docker's nodeInspectPrettyTemplate (its tabs included). */
export function prettyNode(node: Node): string {
  const lines: string[] = [`ID:\t\t\t${node.ID}`];
  const spec = node.Spec ?? ({} as Node["Spec"]);
  const description = node.Description;
  if (spec.Name) lines.push(`Name:\t\t\t${spec.Name}`);
  if (spec.Labels && Object.keys(spec.Labels).length > 0) {
    lines.push("Labels:", ...sortedEntries(spec.Labels).map(([key, value]) => ` - ${key}${value ? `=${value}` : ""}`));
  }
  lines.push(`Hostname:              \t${description?.Hostname ?? ""}`);
  lines.push(`Joined at:             \t${prettyPrint(goTimeString(node.CreatedAt))}`);
  lines.push("Status:", ` State:\t\t\t${prettyPrint(node.Status?.State)}`);
  if (node.Status?.Message) lines.push(` Message:              \t${prettyPrint(node.Status.Message)}`);
  lines.push(` Availability:         \t${prettyPrint(spec.Availability)}`);
  if (node.Status?.Addr) lines.push(` Address:\t\t${node.Status.Addr}`);
  if (node.ManagerStatus) {
    lines.push("Manager Status:", ` Address:\t\t${node.ManagerStatus.Addr}`, ` Raft Status:\t\t${prettyPrint(node.ManagerStatus.Reachability)}`);
    lines.push(` Leader:\t\t${node.ManagerStatus.Leader ? "Yes" : "No"}`);
  }
  const resources = description?.Resources;
  lines.push("Platform:", ` Operating System:\t${description?.Platform?.OS ?? ""}`, ` Architecture:\t\t${description?.Platform?.Architecture ?? ""}`);
  lines.push("Resources:", ` CPUs:\t\t\t${Math.trunc((resources?.NanoCPUs ?? 0) / 1e9)}`, ` Memory:\t\t${resources?.MemoryBytes ? bytesSize(resources.MemoryBytes) : ""}`);
  const plugins = description?.Engine?.Plugins ?? [];
  if (plugins.length > 0) {
    const byType: Record<string, string[]> = {};
    for (const plugin of plugins) (byType[plugin.Type] ??= []).push(plugin.Name);
    lines.push("Plugins:", ...sortedEntries(Object.fromEntries(Object.entries(byType).map(([type, names]) => [type, names.join(", ")]))).map(([type, names]) => ` ${type}:${names ? `\t\t${names}` : ""}`));
  }
  lines.push(`Engine Version:\t\t${description?.Engine?.EngineVersion ?? ""}`);
  const engineLabels = description?.Engine?.Labels;
  if (engineLabels && Object.keys(engineLabels).length > 0) {
    lines.push("Engine Labels:", ...sortedEntries(engineLabels).map(([key, value]) => ` - ${key}${value ? `=${value}` : ""}`));
  }
  const tls = description?.TLSInfo;
  if (tls && (tls.TrustRoot || tls.CertIssuerSubject || tls.CertIssuerPublicKey)) {
    // The API carries the issuer's subject and key base64-encoded already: docker decodes and re-encodes them.
    lines.push("TLS Info:", " TrustRoot:", tls.TrustRoot ?? "", ` Issuer Subject:\t${tls.CertIssuerSubject ?? ""}`, ` Issuer Public Key:\t${tls.CertIssuerPublicKey ?? ""}`);
  }
  return `${lines.join("\n")}\n`;
}
