import { resolve } from "node:path";
import { DEFAULT_BRIDGE_NAME } from "../network/index.ts";
import { DEFAULT_HOST, ShoalError, isLogLevel, parseHostAddress, type LogLevel } from "../lib/index.ts";

/** Defaults of `shoal daemon`, as the architecture fixes them. */
export const DAEMON_DEFAULTS = {
  dataRoot: "/var/lib/shoal",
  execRoot: "/run/shoal",
  host: DEFAULT_HOST,
  logLevel: "info",
} as const;

/** `shoal daemon` options as typed on the command line. */
export interface DaemonFlags {
  dataRoot?: string;
  execRoot?: string;
  host?: string;
  logLevel?: string;
  /** Docker's `--bridge`: `none` disables the default network; otherwise the Linux bridge of network `bridge`. */
  bridge?: string;
  /** Docker's `--insecure-registry host[:port]` (repeatable): registries reached over plain HTTP. */
  insecureRegistry?: string[];
}

/** Validated daemon settings. */
export interface DaemonOptions {
  dataRoot: string;
  execRoot: string;
  /** Path of the unix socket the API is served on. */
  socketPath: string;
  logLevel: LogLevel;
  /** Linux bridge of the default network `bridge` (shoal0), or null for `--bridge none` (no default network). */
  defaultBridge: string | null;
  /** Registries pulled from over plain HTTP (loopback ones always are). */
  insecureRegistries: string[];
}

/** Validates the command line into daemon settings, refusing bad values with what to do. */
export function resolveDaemonOptions(flags: DaemonFlags): DaemonOptions {
  const logLevel = flags.logLevel ?? DAEMON_DEFAULTS.logLevel;
  if (!isLogLevel(logLevel)) {
    throw new ShoalError("invalid_argument", `unknown log level ${JSON.stringify(logLevel)}: use debug, info, warn or error`);
  }
  const execRoot = resolve(flags.execRoot ?? DAEMON_DEFAULTS.execRoot);
  const host = flags.host ?? (flags.execRoot ? `unix://${execRoot}/shoal.sock` : DAEMON_DEFAULTS.host);
  const bridge = flags.bridge?.trim() ?? DEFAULT_BRIDGE_NAME;
  if (bridge === "" || Buffer.byteLength(bridge) > 15 || /[\s/:]/.test(bridge)) {
    throw new ShoalError("invalid_argument", `invalid --bridge ${JSON.stringify(flags.bridge)}: give a Linux interface name (at most 15 characters) or none`);
  }
  const insecureRegistries = flags.insecureRegistry ?? [];
  for (const registry of insecureRegistries) {
    if (!/^[a-zA-Z0-9.-]+(:\d{1,5})?$/.test(registry)) {
      throw new ShoalError("invalid_argument", `invalid --insecure-registry ${JSON.stringify(registry)}: give host[:port] such as registry.lan:5000`);
    }
  }
  return {
    dataRoot: resolve(flags.dataRoot ?? DAEMON_DEFAULTS.dataRoot),
    execRoot,
    socketPath: parseHostAddress(host),
    logLevel,
    defaultBridge: bridge === "none" ? null : bridge,
    insecureRegistries,
  };
}
