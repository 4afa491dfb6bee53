/**
 * The flags `service create` and `service update` share (docker's addServiceFlags), and the
 * parsers that check their values as docker's pflag values do, before any request is sent.
 */
import type { Command } from "commander";
import { parseRamBytes } from "../byte-size.ts";
import { CliError } from "../cli-error.ts";
import { collect } from "../filters.ts";
import { flagValueError, integerFlag } from "../swarm/swarm-flags.ts";
import { parseGoDuration } from "../go-duration.ts";

/** The flag values commander hands over (unparsed strings, lists for repeatable flags). */
export interface ServiceFlags {
  detach?: boolean;
  "detach=false"?: boolean;
  "detach=true"?: boolean;
  quiet?: boolean;
  name?: string;
  replicas?: string;
  mode?: string;
  maxConcurrent?: string;
  env?: string[];
  label?: string[];
  containerLabel?: string[];
  publish?: string[];
  mount?: string[];
  constraint?: string[];
  placementPref?: string[];
  replicasMaxPerNode?: string;
  restartCondition?: string;
  restartDelay?: string;
  restartMaxAttempts?: string;
  restartWindow?: string;
  updateParallelism?: string;
  updateDelay?: string;
  updateFailureAction?: string;
  updateMonitor?: string;
  updateMaxFailureRatio?: string;
  updateOrder?: string;
  rollbackParallelism?: string;
  rollbackDelay?: string;
  rollbackFailureAction?: string;
  rollbackMonitor?: string;
  rollbackMaxFailureRatio?: string;
  rollbackOrder?: string;
  limitCpu?: string;
  limitMemory?: string;
  limitPids?: string;
  reserveCpu?: string;
  reserveMemory?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  /** False with `--no-healthcheck`. */
  healthcheck?: boolean;
  stopSignal?: string;
  stopGracePeriod?: string;
  user?: string;
  workdir?: string;
  hostname?: string;
  entrypoint?: string;
  init?: boolean;
  tty?: boolean;
  readOnly?: boolean;
  secret?: string[];
  config?: string[];
  network?: string[];
  endpointMode?: string;
  withRegistryAuth?: boolean;
  /** False with `--no-resolve-image`. */
  resolveImage?: boolean;
  logDriver?: string;
  logOpt?: string[];
  // update only
  image?: string;
  args?: string;
  force?: boolean;
  rollback?: boolean;
  envAdd?: string[];
  envRm?: string[];
  labelAdd?: string[];
  labelRm?: string[];
  containerLabelAdd?: string[];
  containerLabelRm?: string[];
  publishAdd?: string[];
  publishRm?: string[];
  constraintAdd?: string[];
  constraintRm?: string[];
  mountAdd?: string[];
  mountRm?: string[];
}

/** Whether `--detach` was asked for: `-d`, `--detach`, `--detach=true` (and not `--detach=false`). */
export function detachFlag(flags: ServiceFlags): boolean {
  if (flags["detach=false"]) return false;
  return Boolean(flags.detach || flags["detach=true"]);
}

/**
 * Adds `-d/--detach` (with docker's `--detach=false` and `--detach=true` spellings, which commander
 * cannot give a boolean without swallowing the next argument) and `-q/--quiet`.
 */
export function addDetachFlags(command: Command): Command {
  return command
    .option("-d, --detach", "Exit immediately instead of waiting for the service to converge")
    .option("--detach=false", "Wait for the service to converge (the default)")
    .option("--detach=true", "Same as --detach")
    .option("-q, --quiet", "Suppress progress output");
}

/** Adds the flags create and update share; `update` adds the `-add`/`-rm` ones instead of the list flags. */
export function addServiceFlags(command: Command, update: boolean): Command {
  addDetachFlags(command)
    .option("-w, --workdir <string>", "Working directory inside the container")
    .option("-u, --user <string>", "Username or UID (format: <name|uid>[:<group|gid>])")
    .option("--hostname <string>", "Container hostname")
    .option("--entrypoint <command>", "Overwrite the default ENTRYPOINT of the image")
    .option("--limit-cpu <decimal>", "Limit CPUs")
    .option("--limit-memory <bytes>", "Limit Memory")
    .option("--limit-pids <int>", "Limit maximum number of processes (default 0 = unlimited)")
    .option("--reserve-cpu <decimal>", "Reserve CPUs")
    .option("--reserve-memory <bytes>", "Reserve Memory")
    .option("--stop-grace-period <duration>", "Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s)")
    .option("--replicas <uint>", "Number of tasks")
    .option("--max-concurrent <uint>", "Number of job tasks to run concurrently (default equal to --replicas)")
    .option("--replicas-max-per-node <uint>", "Maximum number of tasks per node (default 0 = unlimited)")
    .option("--restart-condition <string>", 'Restart when condition is met ("none", "on-failure", "any") (default "any")')
    .option("--restart-delay <duration>", "Delay between restart attempts (ns|us|ms|s|m|h) (default 5s)")
    .option("--restart-max-attempts <uint>", "Maximum number of restarts before giving up")
    .option("--restart-window <duration>", "Window used to evaluate the restart policy (ns|us|ms|s|m|h)")
    .option("--update-parallelism <uint>", "Maximum number of tasks updated simultaneously (0 to update all at once) (default 1)")
    .option("--update-delay <duration>", "Delay between updates (ns|us|ms|s|m|h) (default 0s)")
    .option("--update-monitor <duration>", "Duration after each task update to monitor for failure (ns|us|ms|s|m|h) (default 5s)")
    .option("--update-failure-action <string>", 'Action on update failure ("pause", "continue", "rollback") (default "pause")')
    .option("--update-max-failure-ratio <float>", "Failure rate to tolerate during an update (default 0)")
    .option("--update-order <string>", 'Update order ("start-first", "stop-first") (default "stop-first")')
    .option("--rollback-parallelism <uint>", "Maximum number of tasks rolled back simultaneously (0 to roll back all at once) (default 1)")
    .option("--rollback-delay <duration>", "Delay between task rollbacks (ns|us|ms|s|m|h) (default 0s)")
    .option("--rollback-monitor <duration>", "Duration after each task rollback to monitor for failure (ns|us|ms|s|m|h) (default 5s)")
    .option("--rollback-failure-action <string>", 'Action on rollback failure ("pause", "continue") (default "pause")')
    .option("--rollback-max-failure-ratio <float>", "Failure rate to tolerate during a rollback (default 0)")
    .option("--rollback-order <string>", 'Rollback order ("start-first", "stop-first") (default "stop-first")')
    .option("--endpoint-mode <string>", "Endpoint mode (vip or dnsrr)", update ? undefined : "vip")
    .option("--with-registry-auth", "Send registry authentication details to swarm agents")
    .option("--no-resolve-image", "Do not query the registry to resolve image digest and supported platforms")
    .option("--log-driver <string>", "Logging driver for service")
    .option("--log-opt <list>", "Logging driver options", collect)
    .option("--health-cmd <string>", "Command to run to check health")
    .option("--health-interval <duration>", "Time between running the check (ms|s|m|h)")
    .option("--health-timeout <duration>", "Maximum time to allow one check to run (ms|s|m|h)")
    .option("--health-retries <int>", "Consecutive failures needed to report unhealthy")
    .option("--health-start-period <duration>", "Start period for the container to initialize before counting retries towards unstable (ms|s|m|h)")
    .option("--health-start-interval <duration>", "Time between running the check during the start period (ms|s|m|h)")
    .option("--no-healthcheck", "Disable any container-specified HEALTHCHECK")
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("--read-only", "Mount the container's root filesystem as read only")
    .option("--stop-signal <string>", "Signal to stop the container")
    .option("--init", "Use an init inside each service container to forward signals and reap processes");
  if (update) {
    return command
      .option("--image <string>", "Service image tag")
      .option("--args <command>", "Service command args")
      .option("--force", "Force update even if no changes require it")
      .option("--rollback", "Rollback to previous specification")
      .option("--env-add <list>", "Add or update an environment variable", collect)
      .option("--env-rm <list>", "Remove an environment variable", collect)
      .option("--label-add <list>", "Add or update a service label", collect)
      .option("--label-rm <list>", "Remove a label by its key", collect)
      .option("--container-label-add <list>", "Add or update a container label", collect)
      .option("--container-label-rm <list>", "Remove a container label by its key", collect)
      .option("--publish-add <port>", "Add or update a published port", collect)
      .option("--publish-rm <port>", "Remove a published port by its target port", collect)
      .option("--constraint-add <list>", "Add or update a placement constraint", collect)
      .option("--constraint-rm <list>", "Remove a constraint", collect)
      .option("--mount-add <mount>", "Add or update a mount on a service", collect)
      .option("--mount-rm <list>", "Remove a mount by its target path", collect);
  }
  return command
    .option("--name <string>", "Service name")
    .option("--mode <string>", 'Service mode ("replicated", "global", "replicated-job", "global-job")', "replicated")
    .option("-e, --env <list>", "Set environment variables", collect)
    .option("-l, --label <list>", "Service labels", collect)
    .option("--container-label <list>", "Container labels", collect)
    .option("-p, --publish <port>", "Publish a port as a node port", collect)
    .option("--mount <mount>", "Attach a filesystem mount to the service", collect)
    .option("--constraint <list>", "Placement constraints", collect)
    .option("--placement-pref <pref>", "Add a placement preference", collect)
    .option("--secret <secret>", "Specify secrets to expose to the service", collect)
    .option("--config <config>", "Specify configurations to expose to the service", collect)
    .option("--network <network>", "Network attachments", collect);
}

/** Reads typed flag values for one command (`service create`), reporting bad ones as docker's pflag does (exit 125). */
export class FlagReader {
  readonly #command: string;

  constructor(command: string) {
    this.#command = command;
  }

  /** An unsigned integer (`--replicas`, `--update-parallelism`). */
  uint(flag: string, value: string): number {
    return integerFlag(this.#command, flag, value, { unsigned: true, max: Number.MAX_SAFE_INTEGER });
  }

  /** A signed integer (`--health-retries`, `--limit-pids`). */
  int(flag: string, value: string): number {
    return integerFlag(this.#command, flag, value, { unsigned: false, max: Number.MAX_SAFE_INTEGER });
  }

  /** A Go duration in nanoseconds; `positive` refuses negative ones (the health flags). */
  duration(flag: string, value: string, positive = false): number {
    const parsed = parseGoDuration(value);
    if (parsed === undefined) throw flagValueError(this.#command, flag, value, `time: invalid duration ${JSON.stringify(value)}`);
    if (positive && parsed < 0) throw flagValueError(this.#command, flag, value, "duration cannot be negative");
    return parsed;
  }

  /** A float (`--update-max-failure-ratio`). */
  float(flag: string, value: string): number {
    const number = Number(value);
    if (value.trim() === "" || !Number.isFinite(number)) {
      throw flagValueError(this.#command, flag, value, `strconv.ParseFloat: parsing ${JSON.stringify(value)}: invalid syntax`);
    }
    return Math.fround(number);
  }

  /** A CPU count as nano CPUs (`--limit-cpu 0.5` → 500000000), as docker's opts.NanoCPUs. */
  nanoCpus(flag: string, value: string): number {
    const match = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(value);
    if (!match || (match[2] === "" && (match[3] ?? "") === "")) {
      throw flagValueError(this.#command, flag, value, `failed to parse ${value} as a rational number`);
    }
    const fraction = match[3] ?? "";
    if (fraction.replace(/0+$/, "").length > 9) throw flagValueError(this.#command, flag, value, "value is too precise");
    const nano = Number(match[2] || "0") * 1e9 + Number(fraction.padEnd(9, "0").slice(0, 9) || "0");
    return match[1] === "-" ? -nano : nano;
  }

  /** A size in bytes (`--limit-memory 512m`), as docker's opts.MemBytes. */
  memBytes(flag: string, value: string): number {
    const bytes = parseRamBytes(value);
    if (bytes === undefined) throw flagValueError(this.#command, flag, value, `invalid size: '${value}'`);
    return bytes;
  }

  /** A value docker checks with a validator (`--env`, `--label`, `--placement-pref`): its message, exit 125. */
  invalid(flag: string, value: string, reason: string): CliError {
    return flagValueError(this.#command, flag, value, reason);
  }
}
