import { ShoalError } from "../lib/index.ts";
import type { Digest } from "./digest.ts";
import { isInsecureRegistry, type ImageReference } from "./image-reference.ts";

/** A user name and password for one registry (from `shoal login`, docker's config.json format). */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Options of a {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Registries (host:port) that may be reached over plain HTTP besides loopback. */
  insecureRegistries?: readonly string[];
  credentials?: (registry: string) => RegistryCredentials | null;
  /** Milliseconds to wait for a response's headers, and between two chunks of a body (default 30 s). */
  timeoutMs?: number;
}

/** Manifest media types asked for, newest first. */
export const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Reads a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenge(header: string): Challenge {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[match[1]!.toLowerCase()] = match[2]!;
  return { scheme, params };
}

/** A client of the Docker Registry HTTP API v2 / OCI distribution spec, for pulling. */
export class RegistryClient {
  readonly #options: RegistryClientOptions;
  readonly #tokens = new Map<string, string>();

  constructor(options: RegistryClientOptions = {}) {
    this.#options = options;
  }

  /**
   * `docker login`: checks the credentials against a registry (its /v2/ endpoint, through the
   * challenge it answers with). Resolves when they are accepted, or when it asks for none.
   */
  async login(registry: string): Promise<void> {
    const reference = { registry, repository: "", tag: null, digest: null, familiar: registry };
    const scheme = isInsecureRegistry(registry, this.#options.insecureRegistries ?? []) ? "http" : "https";
    const url = `${scheme}://${registry}/v2/`;
    let response = await this.#fetch(url, {}, "login", reference);
    if (response.status === 401) {
      await response.body?.cancel();
      const challenge = parseChallenge(response.headers.get("WWW-Authenticate") ?? "");
      if (!this.#options.credentials?.(registry)) throw new ShoalError("permission_denied", `${registry} needs a user name and password`);
      await this.#authenticate(reference, challenge.params.scope ?? "", response.headers.get("WWW-Authenticate") ?? "").catch((error: unknown) => {
        throw new ShoalError("permission_denied", `login to ${registry} failed: unauthorized: incorrect username or password (${error instanceof Error ? error.message : String(error)})`);
      });
      response = await this.#fetch(url, this.#authorization(registry, challenge.params.scope ?? ""), "login", reference);
    }
    await response.body?.cancel();
    if (!response.ok) throw new ShoalError("permission_denied", `login to ${registry} failed: ${response.status} ${response.statusText}`);
  }

  /** A manifest (or index) and the digest of its exact bytes. */
  async manifest(reference: ImageReference, version: string): Promise<{ body: Uint8Array; mediaType: string; digest: Digest }> {
    const response = await this.#get(reference, `manifests/${version}`, { Accept: MANIFEST_TYPES.join(", ") }, "manifest");
    const body = new Uint8Array(await this.#readAll(response, 4 * 1024 * 1024));
    const digest = `sha256:${new Bun.CryptoHasher("sha256").update(body).digest("hex")}` as Digest;
    const announced = response.headers.get("Docker-Content-Digest");
    if (announced && announced !== digest) {
      throw new ShoalError("invalid_argument", `manifest of ${reference.familiar} does not match the digest the registry announced (${announced}, its bytes hash to ${digest})`);
    }
    const mediaType = (response.headers.get("Content-Type") ?? "").split(";")[0]!.trim();
    return { body, mediaType, digest };
  }

  /** A blob's bytes as they arrive (the caller verifies its digest). */
  async *blob(reference: ImageReference, digest: Digest): AsyncIterable<Uint8Array> {
    const response = await this.#get(reference, `blobs/${digest}`, {}, `blob ${digest}`);
    yield* this.#chunks(response, `blob ${digest} of ${reference.familiar}`);
  }

  #base(reference: ImageReference): string {
    const scheme = isInsecureRegistry(reference.registry, this.#options.insecureRegistries ?? []) ? "http" : "https";
    return `${scheme}://${reference.registry}/v2/${reference.repository}`;
  }

  async #get(reference: ImageReference, path: string, headers: Record<string, string>, what: string): Promise<Response> {
    const url = `${this.#base(reference)}/${path}`;
    const scope = `repository:${reference.repository}:pull`;
    let response = await this.#fetch(url, { ...headers, ...this.#authorization(reference.registry, scope) }, what, reference);
    if (response.status === 401) {
      await response.body?.cancel();
      await this.#authenticate(reference, scope, response.headers.get("WWW-Authenticate") ?? "");
      response = await this.#fetch(url, { ...headers, ...this.#authorization(reference.registry, scope) }, what, reference);
    }
    if (response.ok) return response;
    const detail = await response.text().catch(() => "");
    if (response.status === 404) throw new ShoalError("not_found", `${what} of ${reference.familiar} not found on ${reference.registry}: manifest unknown or blob unknown`);
    if (response.status === 401 || response.status === 403) throw new ShoalError("permission_denied", `pull access denied for ${reference.familiar}: ${detail.trim() || response.statusText} (run 'shoal login ${reference.registry}' if it needs credentials)`);
    throw new ShoalError("unavailable", `registry ${reference.registry} answered ${response.status} for ${what}: ${detail.slice(0, 200)}`);
  }

  async #fetch(url: string, headers: Record<string, string>, what: string, reference: ImageReference): Promise<Response> {
    const timeoutMs = this.#options.timeoutMs ?? 30_000;
    try {
      return await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new ShoalError(
        "unavailable",
        timedOut ? `registry ${reference.registry} did not answer for ${what} within ${timeoutMs} ms` : `cannot reach registry ${reference.registry}: ${String(error)}`,
        { cause: error },
      );
    }
  }

  #authorization(registry: string, scope: string): Record<string, string> {
    const token = this.#tokens.get(`${registry} ${scope}`);
    return token ? { Authorization: token } : {};
  }

  async #authenticate(reference: ImageReference, scope: string, header: string): Promise<void> {
    const challenge = parseChallenge(header);
    const credentials = this.#options.credentials?.(reference.registry) ?? null;
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}` : null;
    const key = `${reference.registry} ${scope}`;
    if (challenge.scheme === "basic") {
      if (!basic) throw new ShoalError("permission_denied", `${reference.registry} needs credentials: run 'shoal login ${reference.registry}'`);
      this.#tokens.set(key, basic);
      return;
    }
    if (challenge.scheme !== "bearer" || !challenge.params.realm) {
      throw new ShoalError("permission_denied", `${reference.registry} asked for an authentication shoal does not speak: ${header || "(no challenge)"}`);
    }
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
    if (challenge.params.scope ?? scope) url.searchParams.set("scope", challenge.params.scope ?? scope);
    const response = await this.#fetch(url.toString(), basic ? { Authorization: basic } : {}, "a token", reference);
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 200).trim();
      if (response.status === 401 || response.status === 403) {
        throw new ShoalError(
          "permission_denied",
          basic
            ? `unauthorized: incorrect username or password for ${reference.registry} (${detail})`
            : `pull access denied for ${reference.familiar}: ${reference.registry} needs credentials (run 'shoal login ${reference.registry}' or 'docker login ${reference.registry}')`,
        );
      }
      throw new ShoalError("unavailable", `the token server of ${reference.registry} answered ${response.status}: ${detail}`);
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new ShoalError("permission_denied", `the token server of ${reference.registry} sent no token`);
    this.#tokens.set(key, `Bearer ${token}`);
  }

  async #readAll(response: Response, maxBytes: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of this.#chunks(response, "manifest")) {
      size += chunk.length;
      if (size > maxBytes) throw new ShoalError("invalid_argument", `manifest larger than ${maxBytes} bytes`);
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }

  /** A body's chunks, failing when nothing arrives for the timeout (a registry that hangs mid-body). */
  async *#chunks(response: Response, what: string): AsyncIterable<Uint8Array> {
    const reader = response.body?.getReader();
    if (!reader) return;
    const timeoutMs = this.#options.timeoutMs ?? 30_000;
    try {
      for (;;) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ShoalError("unavailable", `${what} stalled: nothing arrived for ${timeoutMs} ms`)), timeoutMs);
        });
        const next = await Promise.race([reader.read(), stalled]).finally(() => clearTimeout(timer));
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
}
