import type { Node, SystemInfo } from "../../types/index.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { formatList, type ListLayout } from "../format/list-format.ts";
import { naturalCompare } from "./natural-order.ts";
import { prettyPrint } from "./node-ref.ts";

/** `node ls` columns and headers (docker's nodeContext): the current node's ID is followed by `*`. */
export const NODE_LAYOUT: ListLayout = {
  defaultTable: "table {{.ID}} {{if .Self}}*{{else}} {{ end }}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}",
  headers: {
    ID: "ID",
    Self: "",
    Hostname: "HOSTNAME",
    Status: "STATUS",
    Availability: "AVAILABILITY",
    ManagerStatus: "MANAGER STATUS",
    EngineVersion: "ENGINE VERSION",
    TLSStatus: "TLS STATUS",
  },
};

const sameTls = (a: { TrustRoot?: string; CertIssuerSubject?: string; CertIssuerPublicKey?: string } | undefined, b: typeof a) =>
  (a?.TrustRoot ?? "") === (b?.TrustRoot ?? "") && (a?.CertIssuerSubject ?? "") === (b?.CertIssuerSubject ?? "") && (a?.CertIssuerPublicKey ?? "") === (b?.CertIssuerPublicKey ?? "");
const emptyTls = (tls: Parameters<typeof sameTls>[0]) => sameTls(tls, undefined);

/** One `node ls` row: the fields a `--format` template may name (in the order `json` prints them). */
export function nodeRow(node: Node, info: SystemInfo | undefined) {
  const cluster = info?.Swarm?.Cluster?.TLSInfo;
  const own = node.Description?.TLSInfo;
  const manager = node.ManagerStatus;
  return {
    Availability: prettyPrint(node.Spec?.Availability),
    EngineVersion: node.Description?.Engine?.EngineVersion ?? "",
    Hostname: node.Description?.Hostname ?? "",
    ID: node.ID,
    ManagerStatus: prettyPrint(manager ? (manager.Leader ? "Leader" : manager.Reachability) : ""),
    Self: node.ID === info?.Swarm?.NodeID,
    Status: prettyPrint(node.Status?.State),
    TLSStatus: !info?.Swarm?.Cluster || emptyTls(cluster) || emptyTls(own) ? "Unknown" : sameTls(own, cluster) ? "Ready" : "Needs Rotation",
  };
}

/** `shoal node ls [-q] [-f FILTER] [--format F]`: the swarm's nodes, sorted by hostname as docker sorts them. */
export async function nodeLsCommand(ctx: CliContext, options: { quiet?: boolean; filter?: string[]; format?: string }): Promise<void> {
  const nodes = await ctx.client.json<Node[]>("GET", "/nodes", { query: { filters: filtersQuery(options.filter) } });
  const info = nodes.length > 0 && !options.quiet ? await ctx.client.json<SystemInfo>("GET", "/info") : undefined;
  const sorted = [...nodes].sort((a, b) => naturalCompare(a.Description?.Hostname ?? "", b.Description?.Hostname ?? ""));
  const format = options.format || (options.quiet ? "{{.ID}}" : "table");
  ctx.out(formatList(format, NODE_LAYOUT, sorted.map((node) => nodeRow(node, info))));
}
