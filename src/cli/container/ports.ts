import type { PortSummary } from "./api-types.ts";

function hostPort(ip: string, port: string | number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function comparePorts(a: PortSummary, b: PortSummary): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  if ((a.IP ?? "") !== (b.IP ?? "")) return (a.IP ?? "") < (b.IP ?? "") ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function group(key: string, first: number, last: number): string {
  const [ipOrType, type] = key.includes("/") ? [key.slice(0, key.lastIndexOf("/")), key.slice(key.lastIndexOf("/") + 1)] : ["", key];
  const range = first === last ? `${first}` : `${first}-${last}`;
  return ipOrType ? `${hostPort(ipOrType, range)}->${range}/${type}` : `${range}/${type}`;
}

/**
 * The PORTS column of `docker ps`: published ports as `0.0.0.0:8080->80/tcp`, consecutive ports
 * grouped into ranges (`8000-8002/tcp`), unpublished ones as `80/tcp` (docker's DisplayablePorts).
 */
export function displayablePorts(ports: readonly PortSummary[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    const current = port.PrivatePort;
    let key = port.Type;
    if (port.IP) {
      if (port.PublicPort !== current) {
        mappings.push(`${hostPort(port.IP, port.PublicPort ?? 0)}->${current}/${port.Type}`);
        continue;
      }
      key = `${port.IP}/${port.Type}`;
    }
    const existing = groups.get(key);
    if (!existing) groups.set(key, { first: current, last: current });
    else if (current === existing.last + 1) existing.last = current;
    else {
      result.push(group(key, existing.first, existing.last));
      groups.set(key, { first: current, last: current });
    }
  }
  for (const [key, { first, last }] of groups) result.push(group(key, first, last));
  return [...result, ...mappings].join(", ");
}
