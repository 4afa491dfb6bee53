/** node: the per-host process; the one place that chooses real implementations. */
export { runDaemon } from "./run-daemon.ts";
export { startDaemon } from "./daemon.ts";
export type { RunningDaemon } from "./daemon.ts";
export { DAEMON_DEFAULTS, resolveDaemonOptions } from "./daemon-options.ts";
export type { DaemonFlags, DaemonOptions } from "./daemon-options.ts";
