import { parseTemplate } from "./list-format.ts";

/**
 * What `inspect` commands print: the objects as an indented JSON array (docker indents by four
 * spaces), or with `--format` the template rendered once per object, one per line.
 */
export function inspectOutput(objects: unknown[], format: string | undefined): string {
  if (!format || format === "json") return `${JSON.stringify(objects, null, 4)}\n`;
  const template = parseTemplate(format.replaceAll("\\t", "\t").replaceAll("\\n", "\n"));
  return objects.map((object) => `${template.execute(object)}\n`).join("");
}
