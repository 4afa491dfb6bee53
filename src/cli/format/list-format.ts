import { CliError } from "../cli-error.ts";
import { table } from "./table.ts";
import { Template } from "./template.ts";

/** How a list command (ps, volume ls, network ls) prints its rows by default and which headers its fields have. */
export interface ListLayout {
  /** The default `table …` template. */
  defaultTable: string;
  /** The header of each field a template may name (`ID` → `CONTAINER ID`). */
  headers: Record<string, string>;
}

/** A field's header when the layout names none: `LocalVolumes` → `LOCAL VOLUMES`. */
function fallbackHeader(field: string): string {
  return field.replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
}

/** Replaces the `\t` and `\n` a user types in a format with tabs and newlines, as docker does. */
function unescape(format: string): string {
  return format.replaceAll("\\t", "\t").replaceAll("\\n", "\n");
}

/** Parses a format, turning a template error into docker's message. */
export function parseTemplate(source: string): Template {
  try {
    return new Template(source);
  } catch (error) {
    throw new CliError(`template parsing error: ${(error as Error).message}`);
  }
}

/**
 * Renders rows as docker's `--format` does: empty or `table` → the default table; `table TEMPLATE`
 * → a table with headers derived from the fields; `json` → one JSON object a line; any other
 * template → one rendered line per row. Table cells are the tab-separated parts of each line.
 */
export function formatList(format: string | undefined, layout: ListLayout, rows: object[]): string {
  let source = format?.trim() || "table";
  if (source === "table") source = layout.defaultTable;
  if (source === "json") source = "{{json .}}";
  if (!source.startsWith("table")) {
    const template = parseTemplate(unescape(source));
    return rows.map((row) => `${template.execute(row)}\n`).join("");
  }
  const template = parseTemplate(unescape(source.slice("table".length).trim()));
  const header = new Proxy({} as Record<string, unknown>, {
    get: (_target, field) => (typeof field === "string" ? () => layout.headers[field] ?? fallbackHeader(field) : undefined),
  });
  const headerCells = template.execute(header).split("\t");
  return table(headerCells, rows.map((row) => template.execute(row).split("\t")), 10);
}

/** The first 12 characters of an ID (docker's TruncateID), without any `sha256:` prefix. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/** Shortens text to `width` characters, ending in `…` when cut (docker's Ellipsis). */
export function ellipsis(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return chars.slice(0, width - 1).join("") + "…";
}
