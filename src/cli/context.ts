import { ApiClient, resolveHost } from "./api-client.ts";

/** What every CLI command works with: the daemon client and where output goes. */
export interface CliContext {
  readonly client: ApiClient;
  out(text: string): void;
}

/** The context of a real invocation: the host from flags or environment, stdout for output. */
export function cliContext(globalOptions: { host?: string }): CliContext {
  return {
    client: new ApiClient(resolveHost(globalOptions.host)),
    out: (text) => process.stdout.write(text),
  };
}
