import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import { resolveUser, type ImageAccounts } from "./oci-spec.ts";

/** What `docker exec` asks for: the command and how it is attached. */
export interface ExecOptions {
  args: string[];
  /** `NAME=value` entries laid over the container's env (same name: these win). */
  env?: string[];
  /** `user[:group]`, names or numbers, resolved against the container's /etc/passwd and /etc/group. */
  user?: string;
  workingDir?: string;
  tty: boolean;
  stdin: boolean;
  /** All capabilities (docker exec --privileged). */
  privileged?: boolean;
  /** The terminal size at start (tty only); 24×80 when not given. */
  consoleSize?: { rows: number; cols: number };
}

/** Every capability Linux 6.x knows, in bit order. */
const CAPABILITY_NAMES = [
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
  "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
  "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
  "PERFMON", "BPF", "CHECKPOINT_RESTORE",
].map((name) => `CAP_${name}`);

/**
 * The capabilities of `--privileged`: all those in the daemon's own bounding set (a sandboxed host
 * may lack some, and runc fails to apply a capability it cannot have).
 */
function allCapabilities(): string[] {
  const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  const mask = bounding ? BigInt(`0x${bounding}`) : (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;
  return CAPABILITY_NAMES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** Reads a file of the container's root filesystem, refusing symlinks (they would resolve on the host). */
function readContainerFile(rootfs: string, path: string): string | null {
  let current = rootfs;
  for (const part of path.split("/").filter(Boolean)) {
    current = join(current, part);
    try {
      if (lstatSync(current).isSymbolicLink()) return null;
    } catch {
      return null;
    }
  }
  return readFileSync(current, "utf8");
}

/** The OCI process spec (process.json) of an exec: the container's process with the exec's changes. */
export function execProcessSpec(containerProcess: Record<string, unknown>, options: ExecOptions, rootfs: string): Record<string, unknown> {
  if (options.args.length === 0) throw new ShoalError("invalid_argument", "no exec command specified");
  const env = new Map<string, string>();
  const base = (containerProcess.env as string[] | undefined) ?? [];
  for (const entry of base) env.set(entry.split("=")[0]!, entry);
  if (options.tty && !env.has("TERM")) env.set("TERM", "TERM=xterm");
  for (const entry of options.env ?? []) env.set(entry.split("=")[0]!, entry);
  let user = containerProcess.user ?? { uid: 0, gid: 0 };
  if (options.user) {
    const accounts: ImageAccounts = { passwd: readContainerFile(rootfs, "/etc/passwd"), group: readContainerFile(rootfs, "/etc/group") };
    user = resolveUser(options.user, accounts);
  }
  const all = options.privileged ? allCapabilities() : [];
  const capabilities = options.privileged ? { bounding: all, effective: all, permitted: all, inheritable: [], ambient: [] } : containerProcess.capabilities;
  return {
    ...containerProcess,
    terminal: options.tty,
    ...(options.tty ? { consoleSize: { height: options.consoleSize?.rows ?? 24, width: options.consoleSize?.cols ?? 80 } } : {}),
    args: options.args,
    env: [...env.values()],
    cwd: options.workingDir || (containerProcess.cwd as string | undefined) || "/",
    user,
    capabilities,
  };
}
