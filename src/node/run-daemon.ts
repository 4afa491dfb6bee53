import { createLogger, toShoalError } from "../lib/index.ts";
import { resolveDaemonOptions, type DaemonFlags } from "./daemon-options.ts";
import { startDaemon } from "./daemon.ts";

/**
 * `shoal daemon`: starts the engine and runs until SIGTERM or SIGINT, then stops cleanly.
 * Resolves with the process exit code.
 */
export async function runDaemon(flags: DaemonFlags): Promise<number> {
  let options;
  try {
    options = resolveDaemonOptions(flags);
  } catch (error) {
    process.stderr.write(`shoal daemon: ${toShoalError(error).message}\n`);
    return 1;
  }
  const logger = createLogger({ level: options.logLevel });
  let daemon;
  try {
    daemon = await startDaemon(options, logger);
  } catch (error) {
    const failure = toShoalError(error);
    logger.error(`failed to start daemon: ${failure.message}`, { module: "daemon" });
    return 1;
  }
  // One failed request must not take the daemon (and every API client) down with it.
  process.on("unhandledRejection", (reason) => logger.error("unhandled rejection", { module: "daemon", error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) }));
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info("received signal, shutting down", { module: "daemon", signal });
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      daemon.stop().then(
        () => resolve(0),
        (error) => {
          logger.error(`shutdown failed: ${toShoalError(error).message}`, { module: "daemon" });
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
