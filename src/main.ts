/**
 * The one `shoal` executable: the CLI, and `shoal daemon`, whose modules are loaded only when it runs.
 */
import { exitQuietlyOnBrokenPipe, runCli } from "./cli/index.ts";

// The CLI's reader may go away (`| head`); the daemon keeps running whatever becomes of its output.
if (process.argv[2] !== "daemon") exitQuietlyOnBrokenPipe();

await runCli(process.argv.slice(2), {
  async runDaemon(flags) {
    const { runDaemon } = await import("./node/index.ts");
    return runDaemon(flags);
  },
});
