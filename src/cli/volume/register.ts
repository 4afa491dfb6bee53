import type { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";
import { collect } from "../filters.ts";

/** `shoal volume create|ls|inspect|rm|prune`, with docker's flags. */
export function registerVolumeCommands(program: Command, run: CommandRunner): void {
  const volume = flagErrorsExit125(program.command("volume")).description("Manage volumes");
  const add = (name: string) => flagErrorsExit125(volume.command(name));
  const load = () => import("./volume.ts");

  add("create")
    .description("Create a volume")
    .argument("[volume]")
    .option("-d, --driver <string>", "Specify volume driver name", "local")
    .option("--name <string>", "Specify volume name")
    .option("-o, --opt <map>", "Set driver specific options", collect)
    .option("--label <list>", "Set metadata for a volume", collect)
    .action((name: string | undefined, options) => run(async (ctx) => (await load()).volumeCreateCommand(ctx, name, options)));

  add("ls")
    .alias("list")
    .description("List volumes")
    .option("-q, --quiet", "Only display volume names")
    .option("-f, --filter <filter>", "Provide filter values (e.g. 'dangling=true')", collect)
    .option("--format <string>", "Format output using a custom template")
    .action((options) => run(async (ctx) => (await load()).volumeLsCommand(ctx, options)));

  add("inspect")
    .description("Display detailed information on one or more volumes")
    .argument("<volume...>")
    .option("-f, --format <string>", "Format output using a custom template")
    .action((names: string[], options) => run(async (ctx) => (await load()).volumeInspectCommand(ctx, names, options)));

  add("rm")
    .alias("remove")
    .description("Remove one or more volumes")
    .argument("<volume...>")
    .option("-f, --force", "Force the removal of one or more volumes")
    .action((names: string[], options) => run(async (ctx) => (await load()).volumeRmCommand(ctx, names, options)));

  add("prune")
    .description("Remove unused local volumes")
    .option("-a, --all", "Remove all unused volumes, not just anonymous ones")
    .option("--filter <filter>", "Provide filter values (e.g. 'label=<label>')", collect)
    .option("-f, --force", "Do not prompt for confirmation")
    .action((options) => run(async (ctx) => (await load()).volumePruneCommand(ctx, options)));
}
