/**
 * The one `shoal` executable: the CLI, and `shoal daemon`, whose modules are loaded only when it runs.
 */
import { runCli } from "./cli/index.ts";

await runCli(process.argv.slice(2), {
  async runDaemon(flags) {
    const { runDaemon } = await import("./node/index.ts");
    return runDaemon(flags);
  },
});
