import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { CliError } from "../cli-error.ts";

/** The key docker's config.json uses for Docker Hub. */
export const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

/** One entry of config.json's `auths`: `auth` is base64 of `user:password`. */
export interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

/** docker's config.json, keeping every field shoal does not know as it is. */
export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  [key: string]: unknown;
}

/** Credentials for one registry, as the Engine API's `X-Registry-Auth` and `/auth` carry them. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
  identitytoken?: string;
}

/** Where docker keeps config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: Record<string, string | undefined>): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), ".docker"), "config.json");
}

/** Reads config.json; a missing file is an empty configuration. */
export function readDockerConfig(path: string): DockerConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (error) {
    throw new CliError(`loading config file: ${path}: ${(error as Error).message}`);
  }
}

/** Writes config.json atomically with mode 0600, as docker does. */
export function writeDockerConfig(path: string, config: DockerConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, JSON.stringify(config, null, "\t") + "\n", { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** The registry host of a server address (`https://myreg:5000/v2/` → `myreg:5000`), as docker's ConvertToHostname. */
export function registryHostname(server: string): string {
  return server.replace(/^https?:\/\//, "").split("/")[0]!;
}

/** The key a login to `server` is stored under: Docker Hub's names all mean DOCKER_HUB_SERVER. */
export function serverKey(server: string | undefined): string {
  if (!server) return DOCKER_HUB_SERVER;
  const host = registryHostname(server);
  return ["docker.io", "index.docker.io", "registry-1.docker.io"].includes(host) ? DOCKER_HUB_SERVER : host;
}

/** The registry an image reference is pulled from, as a config.json key (`nginx` → Docker Hub). */
export function referenceServer(reference: string): string {
  const slash = reference.indexOf("/");
  if (slash < 0) return DOCKER_HUB_SERVER;
  const first = reference.slice(0, slash);
  if (!first.includes(".") && !first.includes(":") && first !== "localhost") return DOCKER_HUB_SERVER;
  return serverKey(first);
}

/** The credentials stored for `server` (any key naming the same host matches). */
export function storedAuth(config: DockerConfigFile, server: string): RegistryAuth | undefined {
  const key = serverKey(server);
  for (const [entryKey, entry] of Object.entries(config.auths ?? {})) {
    if (serverKey(entryKey) !== key || !entry.auth) continue;
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) continue;
    const auth: RegistryAuth = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: key };
    if (entry.identitytoken) auth.identitytoken = entry.identitytoken;
    return auth;
  }
  return undefined;
}

/** The `X-Registry-Auth` header value: base64url of the credentials' JSON, as the docker client encodes it. */
export function encodeRegistryAuth(auth: RegistryAuth): string {
  return Buffer.from(JSON.stringify(auth)).toString("base64url");
}

/** The `X-Registry-Auth` header for pulling `reference` with the caller's stored credentials, if any. */
export function registryAuthHeaders(reference: string, env: Record<string, string | undefined>): Record<string, string> {
  const auth = storedAuth(readDockerConfig(dockerConfigPath(env)), referenceServer(reference));
  return auth ? { "X-Registry-Auth": encodeRegistryAuth(auth) } : {};
}
