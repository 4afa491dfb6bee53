import type { Service, Task } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { printTasks } from "../node/task-table.ts";

/** Flags of `shoal service ps`. */
export interface ServicePsOptions {
  noTrunc?: boolean;
  noResolve?: boolean;
  filter?: string[];
  format?: string;
  quiet?: boolean;
}

/**
 * Finds services as docker's `service ps` does: `GET /services?filters={"id":…}` and `{"name":…}`,
 * an argument matching a full ID, then a full name, then a unique ID prefix.
 */
export async function resolveServices(ctx: CliContext, refs: string[]): Promise<string[]> {
  const byId = await ctx.client.json<Service[]>("GET", "/services", { query: { filters: filtersQuery([], { id: refs }) } });
  const byName = await ctx.client.json<Service[]>("GET", "/services", { query: { filters: filtersQuery([], { name: refs }) } });
  const ids: string[] = [];
  const missing: string[] = [];
  for (const ref of refs) {
    const exact = byId.find((service) => service.ID === ref) ?? byName.find((service) => service.Spec.Name === ref);
    const prefixed = byId.filter((service) => service.ID.startsWith(ref));
    if (exact) ids.push(exact.ID);
    else if (prefixed.length === 1) ids.push(prefixed[0]!.ID);
    else if (prefixed.length > 1) throw new CliError(`multiple services found with provided prefix: ${ref}`);
    else missing.push(ref);
  }
  if (missing.length > 0) throw new CliError(`no such service: ${missing[0]}`);
  return ids;
}

/** `shoal service ps [--no-trunc] [-q] [-f] SERVICE...`: the services' tasks with their history. */
export async function servicePsCommand(ctx: CliContext, refs: string[], options: ServicePsOptions): Promise<void> {
  const ids = await resolveServices(ctx, refs);
  const tasks = await ctx.client.json<Task[]>("GET", "/tasks", { query: { filters: filtersQuery(options.filter, { service: ids }) } });
  await printTasks(ctx, tasks, { trunc: !options.noTrunc, noResolve: options.noResolve, quiet: options.quiet, format: options.format });
}
