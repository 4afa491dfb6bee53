import type { Command } from "commander";
import { collect } from "../filters.ts";

/** The flags `shoal create` and `shoal run` share, as commander hands them over (values unparsed). */
export interface CreateFlags {
  name?: string;
  env?: string[];
  envFile?: string[];
  label?: string[];
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  volume?: string[];
  mount?: string[];
  tmpfs?: string[];
  network?: string[];
  networkAlias?: string[];
  ip?: string;
  hostname?: string;
  domainname?: string;
  user?: string;
  workdir?: string;
  entrypoint?: string;
  restart?: string;
  rm?: boolean;
  interactive?: boolean;
  tty?: boolean;
  attach?: string[];
  readOnly?: boolean;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  groupAdd?: string[];
  addHost?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  shmSize?: string;
  cpus?: string;
  cpuShares?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: string;
  ulimit?: string[];
  sysctl?: string[];
  init?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  /** False with `--no-healthcheck`. */
  healthcheck?: boolean;
  logDriver?: string;
  logOpt?: string[];
  pull?: string;
  platform?: string;
  runtime?: string;
  quiet?: boolean;
}

/** Adds docker's container-creation flags to `command` (create and run); `-h` is the hostname, so help is `--help` only. */
export function addCreateFlags(command: Command): Command {
  return command
    .helpOption("--help", "display help for command")
    .option("--name <string>", "Assign a name to the container")
    .option("-e, --env <list>", "Set environment variables", collect)
    .option("--env-file <list>", "Read in a file of environment variables", collect)
    .option("-l, --label <list>", "Set meta data on a container", collect)
    .option("-p, --publish <list>", "Publish a container's port(s) to the host", collect)
    .option("-P, --publish-all", "Publish all exposed ports to random ports")
    .option("--expose <list>", "Expose a port or a range of ports", collect)
    .option("-v, --volume <list>", "Bind mount a volume", collect)
    .option("--mount <mount>", "Attach a filesystem mount to the container", collect)
    .option("--tmpfs <list>", "Mount a tmpfs directory", collect)
    .option("--network <network>", "Connect a container to a network", collect)
    .option("--network-alias <list>", "Add network-scoped alias for the container", collect)
    .option("--ip <string>", "IPv4 address (e.g., 172.30.100.104)")
    .option("-h, --hostname <string>", "Container host name")
    .option("--domainname <string>", "Container NIS domain name")
    .option("-u, --user <string>", "Username or UID (format: <name|uid>[:<group|gid>])")
    .option("-w, --workdir <string>", "Working directory inside the container")
    .option("--entrypoint <string>", "Overwrite the default ENTRYPOINT of the image")
    .option("--restart <string>", "Restart policy to apply when a container exits", "no")
    .option("--rm", "Automatically remove the container and its associated anonymous volumes when it exits")
    .option("-i, --interactive", "Keep STDIN open even if not attached")
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("-a, --attach <list>", "Attach to STDIN, STDOUT or STDERR", collect)
    .option("--read-only", "Mount the container's root filesystem as read only")
    .option("--privileged", "Give extended privileges to this container")
    .option("--cap-add <list>", "Add Linux capabilities", collect)
    .option("--cap-drop <list>", "Drop Linux capabilities", collect)
    .option("--security-opt <list>", "Security Options", collect)
    .option("--group-add <list>", "Add additional groups to join", collect)
    .option("--add-host <list>", "Add a custom host-to-IP mapping (host:ip)", collect)
    .option("--dns <list>", "Set custom DNS servers", collect)
    .option("--dns-search <list>", "Set custom DNS search domains", collect)
    .option("--dns-option <list>", "Set DNS options", collect)
    .option("-m, --memory <bytes>", "Memory limit")
    .option("--memory-reservation <bytes>", "Memory soft limit")
    .option("--memory-swap <bytes>", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option("--shm-size <bytes>", "Size of /dev/shm")
    .option("--cpus <decimal>", "Number of CPUs")
    .option("-c, --cpu-shares <int>", "CPU shares (relative weight)")
    .option("--cpuset-cpus <string>", "CPUs in which to allow execution (0-3, 0,1)")
    .option("--cpuset-mems <string>", "MEMs in which to allow execution (0-3, 0,1)")
    .option("--pids-limit <int>", "Tune container pids limit (set -1 for unlimited)")
    .option("--ulimit <ulimit>", "Ulimit options", collect)
    .option("--sysctl <map>", "Sysctl options", collect)
    .option("--init", "Run an init inside the container that forwards signals and reaps processes")
    .option("--stop-signal <string>", "Signal to stop the container")
    .option("--stop-timeout <int>", "Timeout (in seconds) to stop a container")
    .option("--health-cmd <string>", "Command to run to check health")
    .option("--health-interval <duration>", "Time between running the check (ms|s|m|h) (default 0s)")
    .option("--health-timeout <duration>", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)")
    .option("--health-retries <int>", "Consecutive failures needed to report unhealthy")
    .option("--health-start-period <duration>", "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)")
    .option("--health-start-interval <duration>", "Time between running the check during the start period (ms|s|m|h) (default 0s)")
    .option("--no-healthcheck", "Disable any container-specified HEALTHCHECK")
    .option("--log-driver <string>", "Logging driver for the container")
    .option("--log-opt <list>", "Log driver options", collect)
    .option("--pull <string>", 'Pull image before creating ("always", "missing", "never")', "missing")
    .option("--platform <string>", "Set platform if server is multi-platform capable")
    .option("--runtime <string>", "Runtime to use for this container")
    .option("-q, --quiet", "Suppress the pull output");
}
