import type { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";
import { collect } from "../filters.ts";

/** `shoal config create|ls|inspect|rm`, with docker's flags (ls, inspect and rm shared with `secret`). */
export function registerConfigCommands(program: Command, run: CommandRunner): void {
  const config = flagErrorsExit125(program.command("config")).description("Manage Swarm configs");
  const add = (name: string) => flagErrorsExit125(config.command(name));

  add("create")
    .description("Create a config from a file or STDIN")
    .argument("<config>", "name of the new config")
    .argument("<file>", "file to read the data from, or - for STDIN")
    .option("-l, --label <list>", "Config labels", collect)
    .option("--template-driver <string>", "Template driver")
    .action((name: string, file: string, options) => run(async (ctx) => (await import("./create.ts")).configCreateCommand(ctx, name, file, options)));

  add("ls")
    .alias("list")
    .description("List configs")
    .option("-q, --quiet", "Only display IDs")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect)
    .option("--format <string>", "Format output using a custom template")
    .action((options) => run(async (ctx) => (await import("../secret/payload-ls.ts")).payloadLsCommand(ctx, "config", options)));

  add("inspect")
    .description("Display detailed information on one or more configs")
    .argument("<config...>")
    .option("-f, --format <string>", "Format output using a custom template")
    .option("--pretty", "Print the information in a human friendly format")
    .action((refs: string[], options) => run(async (ctx) => (await import("../secret/payload-inspect.ts")).payloadInspectCommand(ctx, "config", refs, options)));

  add("rm")
    .alias("remove")
    .description("Remove one or more configs")
    .argument("<config...>")
    .action((refs: string[]) => run(async (ctx) => (await import("../secret/payload-rm.ts")).payloadRmCommand(ctx, "config", refs)));
}
