import { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";
import { collect } from "../filters.ts";
import { addCreateFlags, type CreateFlags } from "./create-flags.ts";

/**
 * Adds the container commands to `parent`: at the top level (`shoal run`, `shoal ps`…) or under
 * `shoal container` (where `ps` is `ls`). Implementations load only when a command runs.
 */
export function registerContainerCommands(parent: Command, run: CommandRunner, group: boolean): void {
  const add = (name: string) => flagErrorsExit125(parent.command(name));

  addCreateFlags(add("create"))
    .description("Create a new container")
    .argument("<image>")
    .argument("[command...]")
    .passThroughOptions()
    .action((image: string, args: string[], flags: CreateFlags) => run(async (ctx) => (await import("./create.ts")).createCommand(ctx, image, args, flags)));

  addCreateFlags(add("run"))
    .description("Create and run a new container from an image")
    .argument("<image>")
    .argument("[command...]")
    .option("-d, --detach", "Run container in background and print container ID")
    .option("--detach-keys <string>", "Override the key sequence for detaching a container")
    .passThroughOptions()
    .action((image: string, args: string[], flags) => run(async (ctx) => (await import("./run.ts")).runCommand(ctx, image, args, flags)));

  add("start")
    .description("Start one or more stopped containers")
    .argument("<container...>")
    .option("-a, --attach", "Attach STDOUT/STDERR and forward signals")
    .option("-i, --interactive", "Attach container's STDIN")
    .option("--detach-keys <string>", "Override the key sequence for detaching a container")
    .action((names: string[], options) => run(async (ctx) => (await import("./start.ts")).startCommand(ctx, names, options)));

  for (const [name, description] of [
    ["stop", "Stop one or more running containers"],
    ["restart", "Restart one or more containers"],
  ] as const) {
    add(name)
      .description(description)
      .argument("<container...>")
      .option("-s, --signal <string>", "Signal to send to the container")
      .option("-t, --timeout <int>", "Seconds to wait before killing the container")
      .action((names: string[], options) =>
        run(async (ctx) => {
          const module = await import("./stop.ts");
          await (name === "stop" ? module.stopCommand : module.restartCommand)(ctx, names, options);
        }),
      );
  }

  add("kill")
    .description("Kill one or more running containers")
    .argument("<container...>")
    .option("-s, --signal <string>", "Signal to send to the container")
    .action((names: string[], options) => run(async (ctx) => (await import("./stop.ts")).killCommand(ctx, names, options)));

  add("wait")
    .description("Block until one or more containers stop, then print their exit codes")
    .argument("<container...>")
    .action((names: string[]) => run(async (ctx) => (await import("./wait.ts")).waitCommand(ctx, names)));

  add("rm")
    .description("Remove one or more containers")
    .argument("<container...>")
    .option("-f, --force", "Force the removal of a running container (uses SIGKILL)")
    .option("-v, --volumes", "Remove anonymous volumes associated with the container")
    .option("-l, --link", "Remove the specified link")
    .action((names: string[], options) => run(async (ctx) => (await import("./rm.ts")).rmCommand(ctx, names, options)));

  const ps = add(group ? "ls" : "ps");
  if (group) ps.aliases(["ps", "list"]);
  ps.description("List containers")
    .option("-a, --all", "Show all containers (default shows just running)")
    .option("-q, --quiet", "Only display container IDs")
    .option("-n, --last <int>", "Show n last created containers (includes all states)")
    .option("-l, --latest", "Show the latest created container (includes all states)")
    .option("-s, --size", "Display total file sizes")
    .option("--no-trunc", "Don't truncate output")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect)
    .option("--format <string>", "Format output using a custom template")
    .action((options: { trunc?: boolean } & Record<string, unknown>) =>
      run(async (ctx) => (await import("./ps.ts")).psCommand(ctx, { ...options, noTrunc: options.trunc === false })),
    );

  add("logs")
    .description("Fetch the logs of a container")
    .argument("<container>")
    .option("-f, --follow", "Follow log output")
    .option("-n, --tail <string>", 'Number of lines to show from the end of the logs', "all")
    .option("--since <string>", 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option("--until <string>", 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option("-t, --timestamps", "Show timestamps")
    .option("--details", "Show extra details provided to logs")
    .action((name: string, options) => run(async (ctx) => (await import("./logs.ts")).logsCommand(ctx, name, options)));

  add("exec")
    .description("Execute a command in a running container")
    .argument("<container>")
    .argument("<command...>")
    .option("-d, --detach", "Detached mode: run command in the background")
    .option("--detach-keys <string>", "Override the key sequence for detaching a container")
    .option("-e, --env <list>", "Set environment variables", collect)
    .option("--env-file <list>", "Read in a file of environment variables", collect)
    .option("-i, --interactive", "Keep STDIN open even if not attached")
    .option("--privileged", "Give extended privileges to the command")
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("-u, --user <string>", "Username or UID (format: <name|uid>[:<group|gid>])")
    .option("-w, --workdir <string>", "Working directory inside the container")
    .passThroughOptions()
    .action((name: string, command: string[], options) => run(async (ctx) => (await import("./exec.ts")).execCommand(ctx, name, command, options)));

  if (group) {
    add("inspect")
      .description("Display detailed information on one or more containers")
      .argument("<container...>")
      .option("-f, --format <string>", "Format output using a custom template")
      .option("-s, --size", "Display total file sizes")
      .action((names: string[], options) => run(async (ctx) => (await import("./inspect.ts")).containerInspectCommand(ctx, names, options)));
  }
}

/** `shoal container …`: the container commands as docker groups them. */
export function registerContainerGroup(program: Command, run: CommandRunner): void {
  const container = flagErrorsExit125(program.command("container").description("Manage containers")).enablePositionalOptions();
  registerContainerCommands(container, run, true);
}
