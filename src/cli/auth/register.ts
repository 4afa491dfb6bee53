import type { Command } from "commander";
import { flagErrorsExit125, type CommandRunner } from "../command-runner.ts";

/** `shoal login` and `shoal logout`. */
export function registerAuthCommands(program: Command, run: CommandRunner): void {
  flagErrorsExit125(program.command("login"))
    .description("Authenticate to a registry (defaults to Docker Hub)")
    .argument("[server]")
    .option("-u, --username <string>", "Username")
    .option("-p, --password <string>", "Password or Personal Access Token (PAT)")
    .option("--password-stdin", "Take the Password or Personal Access Token (PAT) from stdin")
    .action((server: string | undefined, options) => run(async (ctx) => (await import("./login.ts")).loginCommand(ctx, server, options)));

  flagErrorsExit125(program.command("logout"))
    .description("Log out from a registry")
    .argument("[server]")
    .action((server: string | undefined) => run(async (ctx) => (await import("./logout.ts")).logoutCommand(ctx, server)));
}
