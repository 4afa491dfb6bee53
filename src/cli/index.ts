/** cli: the `shoal` command line, a client of the daemon's Docker Engine API. */
export { buildProgram, runCli } from "./program.ts";
export type { CliHooks, DaemonCommandFlags } from "./program.ts";
export { ApiClient, resolveHost } from "./api-client.ts";
export { CliError } from "./cli-error.ts";
export { exitQuietlyOnBrokenPipe } from "./streams.ts";
