import { API_VERSION, DEFAULT_HOST, compareApiVersions, parseHostAddress, toShoalError } from "../lib/index.ts";
import { CliError, DaemonError } from "./cli-error.ts";

/** The API version a daemon is assumed to speak when its ping names none (as the docker CLI does). */
const FALLBACK_API_VERSION = "1.24";

/** Where the CLI sends requests: `-H`, else SHOAL_HOST, else DOCKER_HOST, else the default socket. */
export function resolveHost(flag: string | undefined, env: Record<string, string | undefined> = process.env): string {
  return flag || env.SHOAL_HOST || env.DOCKER_HOST || DEFAULT_HOST;
}

/** Options of one API request. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** A raw body (an archive), sent as it is with `contentType`. */
  rawBody?: ReadableStream<Uint8Array>;
  contentType?: string;
  /** Extra request headers (`X-Registry-Auth`). */
  headers?: Record<string, string>;
}

/** The query string of `query` (`?a=1&b=2`, or empty), leaving out undefined values. */
export function queryString(query: RequestOptions["query"] = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) search.set(key, String(value));
  }
  return search.size > 0 ? `?${search}` : "";
}

/** A client of the shoal daemon's Docker Engine API over its unix socket. */
export class ApiClient {
  readonly host: string;
  /** The unix socket the daemon listens on (hijacked connections dial it directly). */
  readonly socketPath: string;
  #version: Promise<string> | undefined;

  constructor(host: string) {
    this.host = host;
    try {
      this.socketPath = parseHostAddress(host);
    } catch (error) {
      throw new CliError(toShoalError(error).message);
    }
  }

  /** The message every command prints when no daemon answers. */
  get cannotConnect(): string {
    return `Cannot connect to the shoal daemon at ${this.host}. Is the daemon running?`;
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`http://shoal${path}`, { ...init, unix: this.socketPath });
    } catch {
      throw new CliError(this.cannotConnect);
    }
  }

  /** The API version requests use: the daemon's, when older than ours (negotiated once, by ping). */
  apiVersion(): Promise<string> {
    this.#version ??= this.#fetch("/_ping", { method: "HEAD" }).then((response) => {
      const served = response.headers.get("Api-Version") ?? FALLBACK_API_VERSION;
      return compareApiVersions(served, API_VERSION) < 0 ? served : API_VERSION;
    });
    return this.#version;
  }

  /** Sends one request to `/v<negotiated><path>`; a non-2xx reply becomes `Error response from daemon: …`. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      headers["Content-Type"] = "application/json";
    } else if (options.rawBody) {
      init.body = options.rawBody;
      headers["Content-Type"] = options.contentType ?? "application/octet-stream";
    }
    const response = await this.#fetch(await this.versionedPath(path, options.query), init);
    if (!response.ok) throw new DaemonError(response.status, `Error response from daemon: ${await errorMessage(response)}`);
    return response;
  }

  /** `/v<negotiated><path>?<query>`: the request target of a call. */
  async versionedPath(path: string, query?: RequestOptions["query"]): Promise<string> {
    return `/v${await this.apiVersion()}${path}${queryString(query)}`;
  }

  /** Sends a request and reads its JSON reply. */
  async json<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
    return (await (await this.request(method, path, options)).json()) as T;
  }
}

/** The message of an error reply: `message` of a JSON body, else the body's text. */
export async function errorMessage(response: Response): Promise<string> {
  return errorText(response.headers.get("Content-Type"), await response.text(), response.status, response.statusText);
}

/** The message of an error body, as the docker client reads it (JSON `message` only with `application/json`). */
export function errorText(contentType: string | null, text: string, status: number, statusText = ""): string {
  if (contentType === "application/json") {
    try {
      const body = JSON.parse(text) as { message?: unknown };
      if (typeof body.message === "string") return body.message;
    } catch {
      // fall through to the raw body, as the docker CLI does
    }
  }
  return text.trim() || `${status} ${statusText}`.trim();
}
