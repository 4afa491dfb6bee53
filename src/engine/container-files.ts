import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ImageAccounts } from "./oci-spec.ts";

/** The image's /etc/passwd and /etc/group, read from its layers (top layer first). */
export function imageAccounts(layersTopFirst: readonly string[]): ImageAccounts {
  const read = (path: string): string | null => {
    for (const layer of layersTopFirst) {
      const file = join(layer, path);
      if (existsSync(file)) return readFileSync(file, "utf8");
    }
    return null;
  };
  return { passwd: read("etc/passwd"), group: read("etc/group") };
}

/** The host's resolv.conf for a container: loopback name servers (unreachable from it) replaced as docker does. */
export function containerResolvConf(hostResolvConf: string): string {
  const lines = hostResolvConf.split("\n").filter((line) => !/^\s*nameserver\s+(127\.|::1\b)/.test(line));
  if (!lines.some((line) => /^\s*nameserver\s/.test(line))) lines.push("nameserver 8.8.8.8", "nameserver 8.8.4.4");
  return `${lines.filter((line, index) => line.trim() !== "" || index < lines.length - 1).join("\n").trim()}\n`;
}

/**
 * Writes the files docker bind-mounts into every container (hostname, hosts, resolv.conf) into
 * `dir` and returns their mounts.
 */
export function writeContainerEtc(dir: string, hostname: string, address: string | undefined, extraHosts: string[] = []) {
  const hostsLines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "fe00::0\tip6-localnet", "ff00::0\tip6-mcastprefix", "ff02::1\tip6-allnodes", "ff02::2\tip6-allrouters"];
  for (const entry of extraHosts) {
    const [name, ip] = entry.split(":");
    if (name && ip) hostsLines.push(`${ip}\t${name}`);
  }
  if (address) hostsLines.push(`${address}\t${hostname}`);
  let hostResolv = "";
  try {
    hostResolv = readFileSync("/etc/resolv.conf", "utf8");
  } catch {
    // no resolv.conf on the host: docker's fallback name servers
  }
  const files = { hostname: `${hostname}\n`, hosts: `${hostsLines.join("\n")}\n`, "resolv.conf": containerResolvConf(hostResolv) };
  return Object.entries(files).map(([name, content]) => {
    const source = join(dir, name);
    writeFileSync(source, content, { mode: 0o644 });
    return { source, destination: `/etc/${name}`, type: "bind" as const, options: ["rbind", "rprivate"] };
  });
}
