import type { Node, Task } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { resolveNodeRef } from "./node-ref.ts";
import { printTasks } from "./task-table.ts";

/** Flags of `shoal node ps`. */
export interface NodePsOptions {
  noTrunc?: boolean;
  noResolve?: boolean;
  filter?: string[];
  format?: string;
  quiet?: boolean;
}

/** `shoal node ps [NODE...]`: the tasks on the nodes (this node by default), as docker lists them. */
export async function nodePsCommand(ctx: CliContext, refs: string[], options: NodePsOptions): Promise<void> {
  const errors: string[] = [];
  const tasks: Task[] = [];
  for (const ref of refs.length > 0 ? refs : ["self"]) {
    try {
      const node = await ctx.client.json<Node>("GET", `/nodes/${encodeURIComponent(await resolveNodeRef(ctx, ref))}`);
      tasks.push(...(await ctx.client.json<Task[]>("GET", "/tasks", { query: { filters: filtersQuery(options.filter, { node: [node.ID] }) } })));
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(error.message);
    }
  }
  if (errors.length === 0 || tasks.length > 0) {
    await printTasks(ctx, tasks, { trunc: !options.noTrunc, noResolve: options.noResolve, quiet: options.quiet, format: options.format });
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}
