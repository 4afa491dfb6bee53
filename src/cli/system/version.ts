import { API_VERSION, BUILD_INFO, goArch } from "../../lib/index.ts";
import type { ComponentVersion, SystemVersion } from "../../types/index.ts";
import type { CliContext } from "../context.ts";
import { ansicTime } from "../format/units.ts";

/** Aligns `label:` columns the way docker's version template does. */
function field(indent: string, label: string, value: string, width: number): string {
  return `${indent}${`${label}:`.padEnd(width)}${value}\n`;
}

/** The `Client:` section of `shoal version`. */
export function formatClientVersion(negotiated: string = API_VERSION): string {
  const apiVersion = negotiated === API_VERSION ? API_VERSION : `${negotiated} (downgraded from ${API_VERSION})`;
  return (
    "Client:\n" +
    field(" ", "Version", BUILD_INFO.version, 19) +
    field(" ", "API version", apiVersion, 19) +
    field(" ", "Bun version", BUILD_INFO.bunVersion, 19) +
    field(" ", "Git commit", BUILD_INFO.gitCommit, 19) +
    field(" ", "Built", ansicTime(BUILD_INFO.buildTime), 19) +
    field(" ", "OS/Arch", `linux/${goArch()}`, 19)
  );
}

function formatComponent(component: ComponentVersion): string {
  const details = component.Details ?? {};
  if (component.Name !== "Engine") {
    let text = ` ${component.Name}:\n` + field("  ", "Version", component.Version, 18);
    for (const [key, value] of Object.entries(details)) text += field("  ", key, value, 18);
    return text;
  }
  return (
    " Engine:\n" +
    field("  ", "Version", component.Version, 18) +
    field("  ", "API version", `${details.ApiVersion ?? ""} (minimum version ${details.MinAPIVersion ?? ""})`, 18) +
    field("  ", "Bun version", (details.GoVersion ?? "").replace(/^bun/, ""), 18) +
    field("  ", "Git commit", details.GitCommit ?? "", 18) +
    field("  ", "Built", ansicTime(details.BuildTime ?? ""), 18) +
    field("  ", "OS/Arch", `${details.Os ?? ""}/${details.Arch ?? ""}`, 18) +
    field("  ", "Experimental", details.Experimental ?? "false", 18)
  );
}

/** The `Server:` section of `shoal version`. */
export function formatServerVersion(version: SystemVersion): string {
  return `Server: ${version.Platform.Name}\n` + version.Components.map(formatComponent).join("");
}

/** `shoal version`: the client's version, then the daemon's (the client part prints even without a daemon). */
export async function versionCommand(ctx: CliContext): Promise<void> {
  let negotiated: string | undefined;
  let server: SystemVersion | undefined;
  let failure: unknown;
  try {
    negotiated = await ctx.client.apiVersion();
    server = await ctx.client.json<SystemVersion>("GET", "/version");
  } catch (error) {
    failure = error;
  }
  ctx.out(formatClientVersion(negotiated));
  if (failure) {
    ctx.out("\n");
    throw failure;
  }
  ctx.out("\n" + formatServerVersion(server!));
}
