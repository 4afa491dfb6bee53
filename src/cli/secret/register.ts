import type { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";
import { collect } from "../filters.ts";

/** `shoal secret create|ls|inspect|rm`, with docker's flags. */
export function registerSecretCommands(program: Command, run: CommandRunner): void {
  const secret = flagErrorsExit125(program.command("secret")).description("Manage Swarm secrets");
  const add = (name: string) => flagErrorsExit125(secret.command(name));

  add("create")
    .description("Create a secret from a file or STDIN as content")
    .argument("<secret>", "name of the new secret")
    .argument("[file]", "file to read the data from, or - for STDIN")
    .option("-l, --label <list>", "Secret labels", collect)
    .option("-d, --driver <string>", "Secret driver")
    .option("--template-driver <string>", "Template driver")
    .action((name: string, file: string | undefined, options) => run(async (ctx) => (await import("./create.ts")).secretCreateCommand(ctx, name, file, options)));

  add("ls")
    .alias("list")
    .description("List secrets")
    .option("-q, --quiet", "Only display IDs")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect)
    .option("--format <string>", "Format output using a custom template")
    .action((options) => run(async (ctx) => (await import("./payload-ls.ts")).payloadLsCommand(ctx, "secret", options)));

  add("inspect")
    .description("Display detailed information on one or more secrets")
    .argument("<secret...>")
    .option("-f, --format <string>", "Format output using a custom template")
    .option("--pretty", "Print the information in a human friendly format")
    .action((refs: string[], options) => run(async (ctx) => (await import("./payload-inspect.ts")).payloadInspectCommand(ctx, "secret", refs, options)));

  add("rm")
    .alias("remove")
    .description("Remove one or more secrets")
    .argument("<secret...>")
    .action((refs: string[]) => run(async (ctx) => (await import("./payload-rm.ts")).payloadRmCommand(ctx, "secret", refs)));
}
