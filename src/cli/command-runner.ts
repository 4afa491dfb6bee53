import { CommanderError, type Command } from "commander";
import type { CliContext } from "./context.ts";

/** Runs a command body with the invocation's context, reporting its failure docker's way. */
export type CommandRunner = (body: (ctx: CliContext) => Promise<void>) => Promise<void>;

/** Makes commander's own errors on `command` (unknown flag, missing argument) exit with 125, as docker's flag errors do. */
export function flagErrorsExit125(command: Command): Command {
  return command.exitOverride((error) => {
    throw error.exitCode === 0 ? error : new CommanderError(125, error.code, error.message);
  });
}
