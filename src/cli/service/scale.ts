import type { Service } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { serviceProgress } from "./progress.ts";

/** Checks `SERVICE=REPLICAS` arguments before anything is sent (docker's scaleArgs). */
export function checkScaleArgs(args: string[]): void {
  for (const arg of args) {
    const equals = arg.indexOf("=");
    if (equals <= 0 || equals === arg.length - 1) {
      throw new CliError(`invalid scale specifier '${arg}'.\nSee 'shoal service scale --help'.\n\nUsage:  shoal service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\nScale one or multiple replicated services`);
    }
  }
}

/**
 * `shoal service scale SERVICE=REPLICAS...`: for each, `GET /services/{id}` then
 * `POST /services/{id}/update?version=N` with only the replica count changed; then, unless `-d`,
 * follows each until it converges.
 */
export async function serviceScaleCommand(ctx: CliContext, args: string[], options: { detach?: boolean }): Promise<void> {
  checkScaleArgs(args);
  const errors: string[] = [];
  const scaled: string[] = [];
  for (const arg of args) {
    const equals = arg.indexOf("=");
    const ref = arg.slice(0, equals);
    const value = arg.slice(equals + 1);
    if (!/^\d+$/.test(value)) {
      errors.push(`${ref}: invalid replicas value ${value}: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
      continue;
    }
    const replicas = Number(value);
    try {
      const service = await ctx.client.json<Service>("GET", `/services/${encodeURIComponent(ref)}`);
      const mode = service.Spec.Mode as { Replicated?: { Replicas?: number }; ReplicatedJob?: { TotalCompletions?: number } };
      if (mode.Replicated) mode.Replicated.Replicas = replicas;
      else if (mode.ReplicatedJob) mode.ReplicatedJob.TotalCompletions = replicas;
      else throw new CliError("scale can only be used with replicated or replicated-job mode");
      const response = await ctx.client.json<{ Warnings?: string[] | null }>("POST", `/services/${encodeURIComponent(service.ID)}/update`, {
        query: { version: service.Version?.Index ?? 0 },
        body: service.Spec,
      });
      for (const warning of response.Warnings ?? []) ctx.err(`${warning}\n`);
      ctx.out(`${ref} scaled to ${replicas}\n`);
      scaled.push(ref);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(`${ref}: ${error.message}`);
    }
  }
  if (!options.detach) {
    for (const ref of scaled) {
      try {
        await serviceProgress(ctx, ref, false);
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        errors.push(`${ref}: ${error.message}`);
      }
    }
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}
