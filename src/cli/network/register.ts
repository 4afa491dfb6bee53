import type { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";
import { collect } from "../filters.ts";

/** `shoal network create|ls|inspect|rm|connect|disconnect|prune`, with docker's flags. */
export function registerNetworkCommands(program: Command, run: CommandRunner): void {
  const network = flagErrorsExit125(program.command("network")).description("Manage networks");
  const add = (name: string) => flagErrorsExit125(network.command(name));
  const load = () => import("./network.ts");

  add("create")
    .description("Create a network")
    .argument("<network>")
    .option("-d, --driver <string>", "Driver to manage the Network", "bridge")
    .option("-o, --opt <map>", "Set driver specific options", collect)
    .option("--label <list>", "Set metadata on a network", collect)
    .option("--subnet <strings>", "Subnet in CIDR format that represents a network segment", collect)
    .option("--gateway <strings>", "IPv4 or IPv6 Gateway for the master subnet", collect)
    .option("--ip-range <strings>", "Allocate container ip from a sub-range", collect)
    .option("--ipam-driver <string>", "IP Address Management Driver", "default")
    .option("--internal", "Restrict external access to the network")
    .option("--attachable", "Enable manual container attachment")
    .option("--ipv6", "Enable or disable IPv6 networking")
    .option("--scope <string>", "Control the network's scope")
    .action((name: string, options) => run(async (ctx) => (await load()).networkCreateCommand(ctx, name, options)));

  add("ls")
    .alias("list")
    .description("List networks")
    .option("-q, --quiet", "Only display network IDs")
    .option("--no-trunc", "Do not truncate the output")
    .option("-f, --filter <filter>", "Provide filter values (e.g. 'driver=bridge')", collect)
    .option("--format <string>", "Format output using a custom template")
    .action((options: { trunc?: boolean } & Record<string, unknown>) => run(async (ctx) => (await load()).networkLsCommand(ctx, { ...options, noTrunc: options.trunc === false })));

  add("inspect")
    .description("Display detailed information on one or more networks")
    .argument("<network...>")
    .option("-f, --format <string>", "Format output using a custom template")
    .action((names: string[], options) => run(async (ctx) => (await load()).networkInspectCommand(ctx, names, options)));

  add("rm")
    .alias("remove")
    .description("Remove one or more networks")
    .argument("<network...>")
    .option("-f, --force", "Do not error if the network does not exist")
    .action((names: string[], options) => run(async (ctx) => (await load()).networkRmCommand(ctx, names, options)));

  add("connect")
    .description("Connect a container to a network")
    .argument("<network>")
    .argument("<container>")
    .option("--alias <strings>", "Add network-scoped alias for the container", collect)
    .option("--ip <string>", "IPv4 address (e.g., 172.30.100.104)")
    .option("--ip6 <string>", "IPv6 address (e.g., 2001:db8::33)")
    .action((name: string, container: string, options) => run(async (ctx) => (await load()).networkConnectCommand(ctx, name, container, options)));

  add("disconnect")
    .description("Disconnect a container from a network")
    .argument("<network>")
    .argument("<container>")
    .option("-f, --force", "Force the container to disconnect from a network")
    .action((name: string, container: string, options) => run(async (ctx) => (await load()).networkDisconnectCommand(ctx, name, container, options)));

  add("prune")
    .description("Remove all unused networks")
    .option("--filter <filter>", "Provide filter values (e.g. 'until=<timestamp>')", collect)
    .option("-f, --force", "Do not prompt for confirmation")
    .action((options) => run(async (ctx) => (await load()).networkPruneCommand(ctx, options)));
}
