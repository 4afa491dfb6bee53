import { CliError, DaemonError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { inspectOutput } from "../format/inspect-output.ts";

/** Options of `shoal inspect`. */
export interface InspectOptions {
  format?: string;
  type?: string;
  size?: boolean;
}

/** The object types `inspect` knows, in the order docker tries them, with their API paths. */
export const INSPECT_TYPES: readonly { type: string; path: (name: string, size?: boolean) => string }[] = [
  { type: "container", path: (name, size) => `/containers/${encodeURIComponent(name)}/json${size ? "?size=1" : ""}` },
  { type: "image", path: (name) => `/images/${name}/json` },
  { type: "network", path: (name) => `/networks/${encodeURIComponent(name)}` },
  { type: "volume", path: (name) => `/volumes/${encodeURIComponent(name)}` },
  { type: "service", path: (name) => `/services/${encodeURIComponent(name)}` },
  { type: "task", path: (name) => `/tasks/${encodeURIComponent(name)}` },
  { type: "node", path: (name) => `/nodes/${encodeURIComponent(name)}` },
  { type: "secret", path: (name) => `/secrets/${encodeURIComponent(name)}` },
  { type: "config", path: (name) => `/configs/${encodeURIComponent(name)}` },
];

/**
 * Looks each name up (as the given type, or trying container, image, network, volume, then the
 * swarm objects, as docker does) and prints what was found; each miss is reported on stderr and
 * makes the exit code 1.
 */
export async function inspectObjects(ctx: CliContext, names: string[], options: InspectOptions): Promise<void> {
  let types = INSPECT_TYPES;
  if (options.type) {
    types = INSPECT_TYPES.filter((candidate) => candidate.type === options.type);
    if (types.length === 0) throw new CliError(`"${options.type}" is not a valid value for --type`);
  }
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    let object: unknown;
    let lastError: DaemonError | undefined;
    for (const candidate of types) {
      try {
        const path = candidate.path(name, options.size);
        const [pathname, search = ""] = path.split("?");
        object = await ctx.client.json("GET", pathname!, { query: Object.fromEntries(new URLSearchParams(search)) });
        break;
      } catch (error) {
        if (!(error instanceof DaemonError)) throw error;
        lastError = error;
      }
    }
    if (object !== undefined) found.push(object);
    else if (types.length === 1 && lastError) errors.push(lastError.message);
    else errors.push(`Error: No such object: ${name}`);
  }
  ctx.out(inspectOutput(found, options.format));
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}

/** `shoal inspect [-f FORMAT] [--type TYPE] NAME...`: low-level information on any object. */
export async function inspectCommand(ctx: CliContext, names: string[], options: InspectOptions): Promise<void> {
  await inspectObjects(ctx, names, options);
}
