import type { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";
import { collect } from "../filters.ts";
import { addDetachFlags, addServiceFlags, type ServiceFlags } from "./service-flags.ts";

/** `shoal service create|ls|ps|inspect|scale|update|rollback|rm|logs`, with docker's flags. */
export function registerServiceCommands(program: Command, run: CommandRunner): void {
  const service = flagErrorsExit125(program.command("service")).description("Manage Swarm services").enablePositionalOptions();
  const add = (name: string) => flagErrorsExit125(service.command(name));

  addServiceFlags(add("create"), false)
    .description("Create a new service")
    .argument("<image>")
    .argument("[command...]")
    .passThroughOptions()
    .action((image: string, args: string[], flags: ServiceFlags) => run(async (ctx) => (await import("./create.ts")).serviceCreateCommand(ctx, image, args, flags)));

  add("ls")
    .alias("list")
    .description("List services")
    .option("-q, --quiet", "Only display IDs")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect)
    .option("--format <string>", "Format output using a custom template")
    .action((options) => run(async (ctx) => (await import("./ls.ts")).serviceLsCommand(ctx, options)));

  add("ps")
    .description("List the tasks of one or more services")
    .argument("<service...>")
    .option("--no-trunc", "Do not truncate output")
    .option("--no-resolve", "Do not map IDs to Names")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect)
    .option("--format <string>", "Pretty-print tasks using a Go template")
    .option("-q, --quiet", "Only display task IDs")
    .action((refs: string[], options: { trunc?: boolean; resolve?: boolean; filter?: string[]; format?: string; quiet?: boolean }) =>
      run(async (ctx) =>
        (await import("./ps.ts")).servicePsCommand(ctx, refs, { ...options, noTrunc: options.trunc === false, noResolve: options.resolve === false }),
      ),
    );

  add("inspect")
    .description("Display detailed information on one or more services")
    .argument("<service...>")
    .option("-f, --format <string>", "Format output using a custom template")
    .option("--pretty", "Print the information in a human friendly format")
    .action((refs: string[], options) => run(async (ctx) => (await import("./inspect.ts")).serviceInspectCommand(ctx, refs, options)));

  add("scale")
    .description("Scale one or multiple replicated services")
    .argument("<service=replicas...>")
    .option("-d, --detach", "Exit immediately instead of waiting for the service to converge")
    .action((args: string[], options) => run(async (ctx) => (await import("./scale.ts")).serviceScaleCommand(ctx, args, options)));

  addServiceFlags(add("update"), true)
    .description("Update a service")
    .argument("<service>")
    .action((ref: string, flags: ServiceFlags) => run(async (ctx) => (await import("./update.ts")).serviceUpdateCommand(ctx, ref, flags)));

  addDetachFlags(add("rollback"))
    .description("Revert changes to a service's configuration")
    .argument("<service>")
    .action((ref: string, flags: ServiceFlags) => run(async (ctx) => (await import("./update.ts")).serviceRollbackCommand(ctx, ref, flags)));

  add("rm")
    .alias("remove")
    .description("Remove one or more services")
    .argument("<service...>")
    .action((refs: string[]) => run(async (ctx) => (await import("./rm.ts")).serviceRmCommand(ctx, refs)));

  add("logs")
    .description("Fetch the logs of a service or task")
    .argument("<service|task>")
    .option("-f, --follow", "Follow log output")
    .option("-n, --tail <string>", 'Number of lines to show from the end of the logs (default "all")')
    .option("--since <string>", 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option("-t, --timestamps", "Show timestamps")
    .option("--no-task-ids", "Do not include task IDs in output")
    .option("--no-trunc", "Do not truncate output")
    .option("--no-resolve", "Do not map IDs to Names in output")
    .option("--raw", "Do not neatly format logs")
    .option("--details", "Show extra details provided to logs")
    .action((target: string, options) => run(async (ctx) => (await import("./logs.ts")).serviceLogsCommand(ctx, target, options)));
}
