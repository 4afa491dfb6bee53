import type { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";
import { collect } from "../filters.ts";

/** Adds the swarm settings flags init and update share (docker's addSwarmFlags); defaults are docker's, sent only when given. */
function addSwarmSpecFlags(command: Command): Command {
  return command
    .option("--task-history-limit <int>", "Task history retention limit (default 5)")
    .option("--dispatcher-heartbeat <duration>", "Dispatcher heartbeat period (ns|us|ms|s|m|h) (default 5s)")
    .option("--max-snapshots <uint>", "Number of additional Raft snapshots to retain")
    .option("--snapshot-interval <uint>", "Number of log entries between Raft snapshots (default 10000)")
    .option("--cert-expiry <duration>", "Validity period for node certificates (ns|us|ms|s|m|h) (default 2160h0m0s)");
}

/** `shoal swarm init|join|join-token|leave|update|unlock|unlock-key|ca`, with docker's flags. */
export function registerSwarmCommands(program: Command, run: CommandRunner): void {
  const swarm = flagErrorsExit125(program.command("swarm")).description("Manage Swarm");
  const add = (name: string) => flagErrorsExit125(swarm.command(name));

  addSwarmSpecFlags(
    add("init")
      .description("Initialize a swarm")
      .option("--advertise-addr <string>", 'Advertised address (format: "<ip|interface>[:port]")')
      .option("--listen-addr <node-addr>", 'Listen address (format: "<ip|interface>[:port]") (default 0.0.0.0:2377)')
      .option("--data-path-addr <string>", 'Address or interface to use for data path traffic (format: "<ip|interface>")')
      .option("--data-path-port <uint32>", "Port number to use for data path traffic (1024 - 49151). If no value is set or is set to 0, the default port (4789) is used.")
      .option("--default-addr-pool <ipNetSlice>", "default address pool in CIDR format", collect)
      .option("--default-addr-pool-mask-length <uint32>", "default address pool subnet mask length (default 24)")
      .option("--force-new-cluster", "Force create a new cluster from current state")
      .option("--autolock", "Enable manager autolocking (requiring an unlock key to start a stopped manager)")
      .option("--availability <string>", 'Availability of the node ("active", "pause", "drain") (default "active")'),
  ).action((options) => run(async (ctx) => (await import("./init.ts")).swarmInitCommand(ctx, options)));

  add("join")
    .description("Join a swarm as a node and/or manager")
    .argument("<host:port>")
    .option("--token <string>", "Token for entry into the swarm")
    .option("--advertise-addr <string>", 'Advertised address (format: "<ip|interface>[:port]")')
    .option("--listen-addr <node-addr>", 'Listen address (format: "<ip|interface>[:port]") (default 0.0.0.0:2377)')
    .option("--data-path-addr <string>", 'Address or interface to use for data path traffic (format: "<ip|interface>")')
    .option("--availability <string>", 'Availability of the node ("active", "pause", "drain") (default "active")')
    .action((remote: string, options) => run(async (ctx) => (await import("./join.ts")).swarmJoinCommand(ctx, remote, options)));

  add("join-token")
    .description("Manage join tokens")
    .argument("<worker|manager>")
    .option("--rotate", "Rotate join token")
    .option("-q, --quiet", "Only display token")
    .action((role: string, options) => run(async (ctx) => (await import("./join-token.ts")).swarmJoinTokenCommand(ctx, role, options)));

  add("leave")
    .description("Leave the swarm")
    .option("-f, --force", "Force this node to leave the swarm, ignoring warnings")
    .action((options) => run(async (ctx) => (await import("./leave.ts")).swarmLeaveCommand(ctx, options)));

  const update = addSwarmSpecFlags(
    add("update")
      .description("Update the swarm")
      .option("--autolock [bool]", "Change manager autolocking setting (true|false)"),
  );
  update.action((options: Record<string, unknown>) => {
    // Like docker, no flag at all shows the help rather than sending an unchanged spec.
    if (Object.values(options).every((value) => value === undefined)) return run(async (ctx) => ctx.out(update.helpInformation()));
    return run(async (ctx) => (await import("./update.ts")).swarmUpdateCommand(ctx, options));
  });

  add("unlock")
    .description("Unlock swarm")
    .action(() => run(async (ctx) => (await import("./unlock.ts")).swarmUnlockCommand(ctx)));

  add("unlock-key")
    .description("Manage the unlock key")
    .option("--rotate", "Rotate unlock key")
    .option("-q, --quiet", "Only display token")
    .action((options) => run(async (ctx) => (await import("./unlock-key.ts")).swarmUnlockKeyCommand(ctx, options)));

  add("ca")
    .description("Display and rotate the root CA")
    .option("--rotate", "Rotate the swarm CA - if no certificate or key are provided, new ones will be generated")
    .option("--ca-cert <pem-file>", "Path to the PEM-formatted root CA certificate to use for the new cluster")
    .option("--ca-key <pem-file>", "Path to the PEM-formatted root CA key to use for the new cluster")
    .option("--cert-expiry <duration>", "Validity period for node certificates (ns|us|ms|s|m|h) (default 2160h0m0s)")
    .option("-d, --detach", "Exit immediately instead of waiting for the root rotation to converge")
    .option("-q, --quiet", "Suppress progress output")
    .action((options) => run(async (ctx) => (await import("./ca.ts")).swarmCaCommand(ctx, options)));
}
