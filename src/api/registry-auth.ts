import { ShoalError } from "../lib/index.ts";
import type { RegistryCredentials } from "../engine/index.ts";

/** The registry host a client names (`https://index.docker.io/v1/` → Docker Hub's registry host). */
export function registryHost(serverAddress: string): string {
  const host = serverAddress.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return host === "index.docker.io" || host === "docker.io" || host === "" ? "registry-1.docker.io" : host;
}

/** Reads `X-Registry-Auth` (base64url JSON {username, password, serveraddress}); absent or empty is none. */
export function registryAuthHeader(header: string | undefined): RegistryCredentials | undefined {
  if (!header || header === "e30" || header === "e30=") return undefined; // "{}"
  try {
    const value = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { username?: string; password?: string };
    if (!value.username) return undefined;
    return { username: value.username, password: value.password ?? "" };
  } catch {
    throw new ShoalError("invalid_argument", "X-Registry-Auth is not base64-encoded JSON credentials");
  }
}
