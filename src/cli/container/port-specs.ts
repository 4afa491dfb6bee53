import { isIP } from "node:net";

/** A host binding of a container port, as `HostConfig.PortBindings` holds it. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** `Config.ExposedPorts` and `HostConfig.PortBindings` built from `--publish` and `--expose`. */
export interface PortSpecs {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, PortBinding[]>;
}

/** A `--publish`/`--expose` value docker refuses; the message is docker's. */
export class PortSpecError extends Error {}

function portRange(text: string): [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

function splitProtoPort(text: string): [string, string] {
  const slash = text.indexOf("/");
  if (text === "" || slash === 0) return ["", ""];
  if (slash < 0) return ["tcp", text];
  const proto = text.slice(slash + 1);
  return [proto === "" ? "tcp" : proto, text.slice(0, slash)];
}

/** Turns the long syntax (`published=8080,target=80,protocol=udp`) into `8080:80/udp`, as docker does. */
function standardNotation(publish: string): string {
  if (!publish.includes("=")) return publish;
  const params: Record<string, string> = { protocol: "tcp" };
  for (const param of publish.split(",")) {
    const equals = param.indexOf("=");
    if (equals <= 0) throw new PortSpecError(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, equals)] = param.slice(equals + 1);
  }
  return `${params.published ?? ""}:${params.target ?? ""}/${params.protocol}`;
}

/** Adds one `-p` value (`[ip:][hostPort:]containerPort[/proto]`, ranges allowed) to `specs`. */
function addPublish(specs: PortSpecs, raw: string): void {
  const parts = raw.split(":");
  const last = parts.length - 1;
  let ip = parts.length >= 3 ? parts.slice(0, last - 1).join(":") : "";
  const host = parts.length >= 2 ? parts[last - 1]! : "";
  const [proto, containerPort] = splitProtoPort(parts[last]!);
  if (ip.startsWith("[")) {
    if (!ip.endsWith("]")) throw new PortSpecError(`invalid IP address ${ip}: missing ']' in address`);
    ip = ip.slice(1, -1);
  }
  if (ip && !isIP(ip)) throw new PortSpecError(`invalid IP address: ${ip}`);
  if (containerPort === "") throw new PortSpecError(`no port specified: ${raw}<empty>`);
  const container = portRange(containerPort);
  if (!container) throw new PortSpecError(`invalid containerPort: ${containerPort}`);
  let hostRange: [number, number] = [0, 0];
  if (host !== "") {
    const parsed = portRange(host);
    if (!parsed) throw new PortSpecError(`invalid hostPort: ${host}`);
    hostRange = parsed;
  }
  const [start, end] = container;
  if (host !== "" && end - start !== hostRange[1] - hostRange[0] && end !== start) {
    throw new PortSpecError(`invalid ranges specified for container and host Ports: ${containerPort} and ${host}`);
  }
  const protocol = proto.toLowerCase();
  if (!["tcp", "udp", "sctp"].includes(protocol)) throw new PortSpecError(`invalid proto: ${protocol}`);
  for (let offset = 0; offset <= end - start; offset++) {
    let hostPort = host === "" ? "" : String(hostRange[0] + offset);
    if (start === end && hostRange[0] !== hostRange[1]) hostPort = `${hostPort}-${hostRange[1]}`;
    const key = `${start + offset}/${protocol}`;
    specs.exposed[key] = {};
    (specs.bindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
  }
}

/** Parses `--publish` and `--expose` values as docker's nat.ParsePortSpecs does. */
export function parsePortSpecs(publish: readonly string[], expose: readonly string[] = []): PortSpecs {
  const specs: PortSpecs = { exposed: {}, bindings: {} };
  for (const raw of publish) addPublish(specs, standardNotation(raw));
  for (const raw of expose) {
    if (raw.includes(":")) throw new PortSpecError(`invalid port format for --expose: ${raw}`);
    const [proto, port] = splitProtoPort(raw);
    const range = portRange(port);
    if (!range) throw new PortSpecError(`invalid range format for --expose: ${raw}, error: invalid syntax`);
    for (let value = range[0]; value <= range[1]; value++) specs.exposed[`${value}/${proto.toLowerCase()}`] ??= {};
  }
  return specs;
}
