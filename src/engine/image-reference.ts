import { ShoalError } from "../lib/index.ts";
import { parseDigest, type Digest } from "./digest.ts";

/** An image reference split into where it lives and which version it names. */
export interface ImageReference {
  /** Registry host (and port): `registry-1.docker.io` for Docker Hub. */
  registry: string;
  /** Repository path on that registry (`library/busybox`). */
  repository: string;
  tag: string | null;
  digest: Digest | null;
  /** How a user would write it, as image records keep it (`busybox:latest`, `localhost:5000/x:1`). */
  familiar: string;
}

const DOCKER_HUB = "registry-1.docker.io";
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parses `[registry/]name[:tag][@sha256:…]` the way docker does (Docker Hub and `library/` by default). */
export function parseImageReference(reference: string): ImageReference {
  let rest = reference.trim();
  let digest: Digest | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = parseDigest(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new ShoalError("invalid_argument", `invalid reference format: bad tag in ${JSON.stringify(reference)}`);
  }
  const parts = rest.split("/");
  const first = parts[0] ?? "";
  const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : DOCKER_HUB;
  let path = hasRegistry ? parts.slice(1) : parts;
  if (!hasRegistry && path.length === 1) path = ["library", ...path];
  if (path.length === 0 || !path.every((component) => COMPONENT.test(component))) {
    throw new ShoalError("invalid_argument", `invalid reference format: repository name must be lowercase (${JSON.stringify(reference)})`);
  }
  if (!tag && !digest) tag = "latest";
  const name = hasRegistry ? `${registry}/${path.join("/")}` : path[0] === "library" ? path.slice(1).join("/") : path.join("/");
  return { registry, repository: path.join("/"), tag, digest, familiar: `${name}${tag ? `:${tag}` : ""}` };
}

/** Whether a registry may be reached over plain HTTP: loopback always (as docker does), others when listed. */
export function isInsecureRegistry(registry: string, insecure: readonly string[]): boolean {
  const host = registry.replace(/:\d+$/, "");
  return host === "localhost" || host.startsWith("127.") || host === "[::1]" || insecure.includes(registry);
}
