/**
 * The image of a service spec as docker's client library sends it: tagged (`alpine` →
 * `alpine:latest`) and, unless `--no-resolve-image`, pinned to the digest the daemon's
 * `GET /distribution/{image}/json` gives, with the platforms it lists.
 */
import type { CliContext } from "../context.ts";

/** An image reference in its familiar form with `:latest` added when it has neither tag nor digest (docker's imageWithTagString). */
export function taggedImage(image: string): string {
  const [named] = image.split("@") as [string];
  const tagColon = named.lastIndexOf(":") > named.lastIndexOf("/") ? named.lastIndexOf(":") : -1;
  const repository = tagColon < 0 ? named : named.slice(0, tagColon);
  if (!/^[a-z0-9]+(?:(?:[._\-/:]|__)[a-z0-9]+)*$/.test(repository)) return image;
  let name = image;
  if (name.startsWith("docker.io/")) name = name.slice("docker.io/".length);
  if (name.startsWith("index.docker.io/")) name = name.slice("index.docker.io/".length);
  if (name.startsWith("library/") && name.indexOf("/", "library/".length) < 0) name = name.slice("library/".length);
  if (name.includes("@")) return name;
  const slash = name.lastIndexOf("/");
  return name.lastIndexOf(":") > slash ? name : `${name}:latest`;
}

/** The text docker prints when the digest cannot be resolved. */
export function digestWarning(image: string): string {
  return `image ${image} could not be accessed on a registry to record\nits digest. Each node will access ${image} independently,\npossibly leading to different nodes running different\nversions of the image.\n`;
}

/** The reply of `GET /distribution/{image}/json`. */
interface DistributionInspect {
  Descriptor: { digest: string };
  Platforms?: { architecture?: string; os?: string }[];
}

/**
 * Pins `template.ContainerSpec.Image` to its digest and sets `Placement.Platforms`, as docker's
 * resolveContainerSpecImage does; returns the warning to print when that fails.
 */
export async function pinImage(ctx: CliContext, template: Record<string, unknown>, headers: Record<string, string>): Promise<string | undefined> {
  const container = template.ContainerSpec as { Image: string };
  let inspect: DistributionInspect;
  try {
    inspect = await ctx.client.json<DistributionInspect>("GET", `/distribution/${container.Image}/json`, { headers });
  } catch {
    return digestWarning(container.Image);
  }
  if (!container.Image.includes("@")) container.Image = `${container.Image}@${inspect.Descriptor.digest}`;
  const platforms: { Architecture: string; OS: string }[] = [];
  for (const platform of inspect.Platforms ?? []) {
    if (platform.os === "unknown" || platform.architecture === "unknown") continue;
    const entry = { Architecture: platform.architecture?.toLowerCase() === "arm" ? "" : (platform.architecture ?? ""), OS: platform.os ?? "" };
    if (!platforms.some((seen) => seen.Architecture === entry.Architecture && seen.OS === entry.OS)) platforms.push(entry);
  }
  if (platforms.length > 0) {
    const placement = (template.Placement ??= {}) as Record<string, unknown>;
    placement.Platforms = platforms;
  }
  return undefined;
}
