import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { arch, cpus, hostname, release, tmpdir, totalmem } from "node:os";

/** What the daemon learned about its host at start. */
export interface HostFacts {
  hostname: string;
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  /** `uname -m` style architecture (x86_64, aarch64). */
  architecture: string;
  ncpu: number;
  memTotal: number;
  /** "1" for v1 and hybrid layouts, "2" for the unified hierarchy. */
  cgroupVersion: "1" | "2";
  ipv4Forwarding: boolean;
  /** OCI runtimes found, by name, with their paths. */
  runtimes: Record<string, string>;
  conmonPath: string | null;
  /** What is missing or off, each saying what will not work and how to fix it. */
  warnings: string[];
}

/** Reads from the host; tests give a fake with the same shape. */
export interface HostReader {
  readText(path: string): string | null;
  exists(path: string): boolean;
  which(command: string): string | null;
  writableDir(path: string): boolean;
}

/** The real host. */
export const realHostReader: HostReader = {
  readText(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return null;
    }
  },
  exists: (path) => existsSync(path),
  which: (command) => Bun.which(command, { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/usr/bin:/sbin:/bin` }),
  writableDir(path) {
    try {
      accessSync(path, constants.W_OK | constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
};

const LIBRARY_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib"];

/** Reads `/etc/os-release` into its pretty name and version. */
export function parseOsRelease(text: string | null): { name: string; version: string } {
  const fields = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields.set(match[1]!, match[2]!.replace(/^"(.*)"$/, "$1"));
  }
  return { name: fields.get("PRETTY_NAME") ?? "Linux", version: fields.get("VERSION_ID") ?? "" };
}

function kernelHas(reader: HostReader, module: string, filesystem?: string): boolean {
  if (filesystem && (reader.readText("/proc/filesystems") ?? "").split(/\s+/).includes(filesystem)) return true;
  if (reader.exists(`/sys/module/${module}`)) return true;
  const builtin = reader.readText(`/lib/modules/${release()}/modules.builtin`) ?? "";
  return builtin.includes(`/${module}.ko`);
}

/**
 * Probes the kernel features and host packages shoal needs, so that what is missing is said at
 * start (in the log and in `info`) rather than failing later in silence.
 */
export function probeHost(reader: HostReader = realHostReader): HostFacts {
  const warnings: string[] = [];
  const os = parseOsRelease(reader.readText("/etc/os-release"));
  const cgroupVersion = reader.exists("/sys/fs/cgroup/cgroup.controllers") ? "2" : "1";
  const ipv4Forwarding = (reader.readText("/proc/sys/net/ipv4/ip_forward") ?? "0").trim() === "1";

  const runtimes: Record<string, string> = {};
  for (const name of ["runc", "crun"]) {
    const path = reader.which(name);
    if (path) runtimes[name] = path;
  }
  if (!runtimes.runc) warnings.push("runc not found: containers cannot run (install the runc package)");
  const conmonPath = reader.which("conmon");
  if (!conmonPath) warnings.push("conmon not found: containers cannot run (install the conmon package)");
  if (!LIBRARY_DIRS.some((dir) => reader.exists(`${dir}/libnftables.so.1`))) {
    warnings.push("libnftables.so.1 not found: published ports and service VIPs will not work (install libnftables1)");
  }
  if (!kernelHas(reader, "overlay", "overlay")) {
    warnings.push("the kernel has no overlay filesystem: container root filesystems cannot be mounted (modprobe overlay)");
  }
  if (!kernelHas(reader, "vxlan")) {
    warnings.push("the kernel's vxlan module is not loaded: overlay networks will not work (modprobe vxlan)");
  }
  if (!kernelHas(reader, "bridge")) {
    warnings.push("the kernel's bridge module is not loaded: container networking will not work (modprobe bridge)");
  }
  if (!reader.exists("/proc/self/ns/net")) {
    warnings.push("the kernel has no network namespaces: containers cannot have their own network");
  }
  if (!ipv4Forwarding) warnings.push("IPv4 forwarding is disabled");
  const tmp = tmpdir();
  if (!reader.writableDir(tmp)) {
    warnings.push(`TMPDIR ${tmp} is not writable: the embedded native modules cannot be unpacked (set TMPDIR)`);
  }

  return {
    hostname: hostname(),
    kernelVersion: release(),
    operatingSystem: os.name,
    osVersion: os.version,
    architecture: arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : arch(),
    ncpu: cpus().length,
    memTotal: totalmem(),
    cgroupVersion,
    ipv4Forwarding,
    runtimes,
    conmonPath,
    warnings,
  };
}

/** The first line of `<binary> --version`, or null when it cannot be run. */
export async function componentVersion(binary: string): Promise<string | null> {
  try {
    const child = Bun.spawn([binary, "--version"], { stdout: "pipe", stderr: "ignore", stdin: "ignore" });
    const text = await new Response(child.stdout).text();
    if ((await child.exited) !== 0) return null;
    const match = /version:?\s+v?([0-9][^\s]*)/i.exec(text);
    return match ? match[1]! : (text.split("\n")[0] ?? "").trim() || null;
  } catch {
    return null;
  }
}
