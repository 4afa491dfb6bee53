import { registryAuthHeaders } from "../auth/docker-config.ts";
import type { CliContext } from "../context.ts";
import { pinImage, taggedImage } from "./image-ref.ts";
import { serviceProgress } from "./progress.ts";
import { detachFlag, type ServiceFlags } from "./service-flags.ts";
import { buildServiceSpec, resolveServiceSpec, type Json } from "./service-spec.ts";

/**
 * `shoal service create [OPTIONS] IMAGE [COMMAND] [ARG...]`: checks every flag, looks up networks,
 * secrets and configs, pins the image's digest, `POST /services/create`, prints the ID and, unless
 * `-d`, follows the service until it converges.
 */
export async function serviceCreateCommand(ctx: CliContext, image: string, args: string[], flags: ServiceFlags): Promise<void> {
  const spec = buildServiceSpec(flags, image, args, ctx.env);
  await resolveServiceSpec(ctx, spec, flags);
  const headers = flags.withRegistryAuth ? registryAuthHeaders(image, ctx.env) : {};
  const template = spec.TaskTemplate as Json;
  const container = template.ContainerSpec as { Image: string };
  container.Image = taggedImage(container.Image);
  const warnings: string[] = [];
  if (flags.resolveImage !== false) {
    const warning = await pinImage(ctx, template, headers);
    if (warning) warnings.push(warning);
  }
  const response = await ctx.client.json<{ ID: string; Warnings?: string[] | null }>("POST", "/services/create", { body: spec, headers });
  for (const warning of [...warnings, ...(response.Warnings ?? [])]) ctx.err(`${warning}\n`);
  ctx.out(`${response.ID}\n`);
  if (!detachFlag(flags)) await serviceProgress(ctx, response.ID, Boolean(flags.quiet));
}
