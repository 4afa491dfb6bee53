import type { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";
import { collect } from "../filters.ts";

/** `shoal node ls|inspect|ps|update|promote|demote|rm`, with docker's flags. */
export function registerNodeCommands(program: Command, run: CommandRunner): void {
  const node = flagErrorsExit125(program.command("node")).description("Manage Swarm nodes");
  const add = (name: string) => flagErrorsExit125(node.command(name));

  add("ls")
    .alias("list")
    .description("List nodes in the swarm")
    .option("-q, --quiet", "Only display IDs")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect)
    .option("--format <string>", "Format output using a custom template")
    .action((options) => run(async (ctx) => (await import("./ls.ts")).nodeLsCommand(ctx, options)));

  add("inspect")
    .description("Display detailed information on one or more nodes")
    .argument("<self|node...>")
    .option("-f, --format <string>", "Format output using a custom template")
    .option("--pretty", "Print the information in a human friendly format")
    .action((refs: string[], options) => run(async (ctx) => (await import("./inspect.ts")).nodeInspectCommand(ctx, refs, options)));

  add("ps")
    .description("List tasks running on one or more nodes, defaults to current node")
    .argument("[node...]")
    .option("--no-trunc", "Do not truncate output")
    .option("--no-resolve", "Do not map IDs to Names")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect)
    .option("--format <string>", "Pretty-print tasks using a Go template")
    .option("-q, --quiet", "Only display task IDs")
    .action((refs: string[], options: { trunc?: boolean; resolve?: boolean; filter?: string[]; format?: string; quiet?: boolean }) =>
      run(async (ctx) =>
        (await import("./ps.ts")).nodePsCommand(ctx, refs, { ...options, noTrunc: options.trunc === false, noResolve: options.resolve === false }),
      ),
    );

  add("update")
    .description("Update a node")
    .argument("<node>")
    .option("--role <string>", 'Role of the node ("worker", "manager")')
    .option("--availability <string>", 'Availability of the node ("active", "pause", "drain")')
    .option("--label-add <list>", 'Add or update a node label ("key=value")', collect)
    .option("--label-rm <list>", "Remove a node label if exists", collect)
    .action((ref: string, options) => run(async (ctx) => (await import("./update.ts")).nodeUpdateCommand(ctx, ref, options)));

  add("promote")
    .description("Promote one or more nodes to manager in the swarm")
    .argument("<node...>")
    .action((refs: string[]) => run(async (ctx) => (await import("./update.ts")).nodePromoteCommand(ctx, refs)));

  add("demote")
    .description("Demote one or more nodes from manager in the swarm")
    .argument("<node...>")
    .action((refs: string[]) => run(async (ctx) => (await import("./update.ts")).nodeDemoteCommand(ctx, refs)));

  add("rm")
    .alias("remove")
    .description("Remove one or more nodes from the swarm")
    .argument("<node...>")
    .option("-f, --force", "Force remove a node from the swarm")
    .action((refs: string[], options) => run(async (ctx) => (await import("./rm.ts")).nodeRmCommand(ctx, refs, options)));
}
