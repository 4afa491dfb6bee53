import { Command, CommanderError } from "commander";
import { BUILD_INFO } from "../lib/index.ts";
import { registerAuthCommands } from "./auth/register.ts";
import { registerConfigCommands } from "./config/register.ts";
import { CliError } from "./cli-error.ts";
import { flagErrorsExit125 } from "./command-runner.ts";
import { registerContainerCommands, registerContainerGroup } from "./container/register.ts";
import { cliContext, type CliContext } from "./context.ts";
import { registerNetworkCommands } from "./network/register.ts";
import { registerNodeCommands } from "./node/register.ts";
import { registerServiceCommands } from "./service/register.ts";
import { registerSecretCommands } from "./secret/register.ts";
import { registerSwarmCommands } from "./swarm/register.ts";
import { registerVolumeCommands } from "./volume/register.ts";

/** Flags of `shoal daemon`, passed to the runner the entry point wires in. */
export interface DaemonCommandFlags {
  dataRoot?: string;
  execRoot?: string;
  host?: string;
  logLevel?: string;
  bridge?: string;
  insecureRegistry?: string[];
}

/** What the CLI cannot do itself and the entry point provides (so the CLI never loads the daemon). */
export interface CliHooks {
  /** Runs the daemon in this process; resolves with the exit code. */
  runDaemon(flags: DaemonCommandFlags): Promise<number>;
}

/** Where the CLI writes errors. */
export type ErrorWriter = (text: string) => void;

/** Runs a command body, turning its failure into docker-style stderr output and an exit code. */
async function runCommand(body: () => Promise<void>, writeError: ErrorWriter): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof CliError) {
      // An empty message is an exit status passed on (a container's or an exec's).
      if (error.message) writeError(`${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}

/**
 * The `shoal` command line. Each command loads its implementation only when it runs, so that
 * starting the CLI stays cheap.
 */
export function buildProgram(
  hooks: CliHooks,
  writeError: ErrorWriter = (text) => process.stderr.write(text),
  makeContext: (globalOptions: { host?: string }) => CliContext = cliContext,
): Command {
  const program = new Command("shoal")
    .description("A container cluster orchestrator in the mould of Docker swarm mode")
    .option("-H, --host <address>", "daemon socket to connect to (env SHOAL_HOST, then DOCKER_HOST)")
    .version(`shoal version ${BUILD_INFO.version}, build ${BUILD_INFO.gitCommit}`, "-v, --version", "print version information and quit")
    .showHelpAfterError()
    .enablePositionalOptions()
    .configureOutput({ writeErr: writeError });

  const context = (): CliContext => makeContext(program.opts<{ host?: string }>());
  const action = (load: (ctx: CliContext) => Promise<void>) => () => runCommand(async () => load(context()), writeError);

  program
    .command("version")
    .description("Show the shoal version information")
    .action(action(async (ctx) => (await import("./system/version.ts")).versionCommand(ctx)));

  program
    .command("info")
    .description("Display system-wide information")
    .option("-f, --format <string>", "Format output using a custom template")
    .action((options: { format?: string }) => runCommand(async () => (await import("./system/info.ts")).infoCommand(context(), options), writeError));

  program
    .command("pull")
    .description("Download an image from a registry")
    .argument("<name>", "NAME[:TAG|@DIGEST]")
    .action((name: string) => runCommand(async () => (await import("./image/pull.ts")).pullCommand(context(), name), writeError));

  program
    .command("load")
    .description("Load an image from a tar archive or STDIN")
    .option("-i, --input <file>", "read from tar archive file, instead of STDIN")
    .action((options: { input?: string }) => runCommand(async () => (await import("./image/load.ts")).loadCommand(context(), options), writeError));

  program
    .command("images")
    .description("List images")
    .option("-q, --quiet", "only show image IDs")
    .action((options: { quiet?: boolean }) => runCommand(async () => (await import("./image/images.ts")).imagesCommand(context(), options), writeError));

  program
    .command("rmi")
    .description("Remove one or more images")
    .argument("<image...>")
    .option("-f, --force", "force removal of the image")
    .action((images: string[], options: { force?: boolean }) => runCommand(async () => (await import("./image/rmi.ts")).rmiCommand(context(), images, options), writeError));

  const run = (body: (ctx: CliContext) => Promise<void>) => runCommand(async () => body(context()), writeError);
  registerContainerCommands(program, run, false);
  registerContainerGroup(program, run);
  registerVolumeCommands(program, run);
  registerNetworkCommands(program, run);
  registerAuthCommands(program, run);
  registerSwarmCommands(program, run);
  registerNodeCommands(program, run);
  registerServiceCommands(program, run);
  registerSecretCommands(program, run);
  registerConfigCommands(program, run);

  flagErrorsExit125(program.command("inspect"))
    .description("Return low-level information on Docker objects")
    .argument("<name...>")
    .option("-f, --format <string>", "Format output using a custom template")
    .option("-s, --size", "Display total file sizes if the type is container")
    .option("--type <string>", "Only inspect objects of the given type")
    .action((names: string[], options) => run(async (ctx) => (await import("./system/inspect.ts")).inspectCommand(ctx, names, options)));

  program
    .command("daemon")
    .description("Run the shoal engine on this host")
    .option("--data-root <dir>", "root of persistent state", "/var/lib/shoal")
    .option("--exec-root <dir>", "root of runtime state (socket, pid file)", "/run/shoal")
    .option("-H, --host <address>", "socket to serve the API on (default: unix://<exec-root>/shoal.sock)")
    .option("--log-level <level>", "debug, info, warn or error", "info")
    .option("-b, --bridge <name>", "Linux bridge of the default network, or none for no default network (default: shoal0)")
    .option("--insecure-registry <host[:port]>", "registry to pull from over plain HTTP (repeatable)", (value: string, previous: string[] = []) => [...previous, value])
    .action(async (flags: DaemonCommandFlags) => {
      // -H is also the program's global option, which commander fills first: for the daemon it is
      // the address to serve on.
      const host = flags.host ?? program.opts<{ host?: string }>().host;
      process.exitCode = await hooks.runDaemon({ ...flags, host });
    });

  return program;
}

/** Parses `argv` and runs the command; commander's own errors exit with 1 (125 for the docker-style commands that say so). */
export async function runCli(argv: string[], hooks: CliHooks): Promise<void> {
  const program = buildProgram(hooks).exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 || error.exitCode === 125 ? error.exitCode : 1;
      return;
    }
    throw error;
  }
}

