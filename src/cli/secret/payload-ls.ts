/**
 * `secret ls` and `config ls`: docker's tables (secretContext / configContext), rows sorted by name
 * in natural order, `-q` for IDs, `--format` templates with `.ID .Name .Driver .CreatedAt
 * .UpdatedAt .Labels` and `.Label "key"`.
 */
import type { Config, Secret } from "../../types/index.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { formatList, type ListLayout } from "../format/list-format.ts";
import { humanDuration } from "../format/units.ts";
import { naturalLess } from "../node/natural-order.ts";

/** `secret ls` columns and headers. */
export const SECRET_LAYOUT: ListLayout = {
  defaultTable: "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}",
  headers: { ID: "ID", Name: "NAME", Driver: "DRIVER", CreatedAt: "CREATED", UpdatedAt: "UPDATED", Labels: "LABELS" },
};

/** `config ls` columns and headers (configs have no driver). */
export const CONFIG_LAYOUT: ListLayout = {
  defaultTable: "table {{.ID}}\t{{.Name}}\t{{.CreatedAt}}\t{{.UpdatedAt}}",
  headers: { ID: "ID", Name: "NAME", CreatedAt: "CREATED", UpdatedAt: "UPDATED", Labels: "LABELS" },
};

/** `5 minutes ago`, as docker prints a time in a list (go-units' HumanDuration). */
function ago(rfc3339: string, now: number): string {
  return `${humanDuration(Math.max(0, now - Date.parse(rfc3339)) * 1e6)} ago`;
}

/** One row: the fields a `--format` template may name, in the order `{{json .}}` prints them. */
function payloadRow(kind: "secret" | "config", object: Secret | Config, now: number) {
  const labels = object.Spec.Labels ?? {};
  return {
    CreatedAt: ago(object.CreatedAt, now),
    ...(kind === "secret" ? { Driver: (object as Secret).Spec.Driver?.Name ?? "" } : {}),
    ID: object.ID,
    Labels: Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .sort()
      .join(","),
    Name: object.Spec.Name,
    UpdatedAt: ago(object.UpdatedAt, now),
    Label: (key: string) => labels[key] ?? "",
  };
}

/** Lists the secrets or configs passing `--filter`, as `docker secret ls` / `docker config ls` print them. */
export async function payloadLsCommand(ctx: CliContext, kind: "secret" | "config", options: { quiet?: boolean; filter?: string[]; format?: string }): Promise<void> {
  const objects = await ctx.client.json<(Secret | Config)[]>("GET", `/${kind}s`, { query: { filters: filtersQuery(options.filter) } });
  const sorted = [...objects].sort((a, b) => (naturalLess(a.Spec.Name, b.Spec.Name) ? -1 : naturalLess(b.Spec.Name, a.Spec.Name) ? 1 : 0));
  const format = options.format || (options.quiet ? "{{.ID}}" : "table");
  const now = Date.now();
  const rows = sorted.map((object) => payloadRow(kind, object, now));
  ctx.out(formatList(format, kind === "secret" ? SECRET_LAYOUT : CONFIG_LAYOUT, rows));
}
