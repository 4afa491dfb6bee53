import { API_VERSION, DEFAULT_HOST, compareApiVersions, parseHostAddress, toShoalError } from "../lib/index.ts";
import { CliError } from "./cli-error.ts";

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
}

/** A client of the shoal daemon's Docker Engine API over its unix socket. */
export class ApiClient {
  readonly host: string;
  readonly #socketPath: string;
  #version: Promise<string> | undefined;

  constructor(host: string) {
    this.host = host;
    try {
      this.#socketPath = parseHostAddress(host);
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
      return await fetch(`http://shoal${path}`, { ...init, unix: this.#socketPath });
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
    const version = await this.apiVersion();
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const query = search.size > 0 ? `?${search}` : "";
    const init: RequestInit = { method };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers = { "Content-Type": "application/json" };
    } else if (options.rawBody) {
      init.body = options.rawBody;
      init.headers = { "Content-Type": options.contentType ?? "application/octet-stream" };
    }
    const response = await this.#fetch(`/v${version}${path}${query}`, init);
    if (!response.ok) throw new CliError(`Error response from daemon: ${await errorMessage(response)}`);
    return response;
  }

  /** Sends a request and reads its JSON reply. */
  async json<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
    return (await (await this.request(method, path, options)).json()) as T;
  }
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text();
  if (response.headers.get("Content-Type") === "application/json") {
    try {
      const body = JSON.parse(text) as { message?: unknown };
      if (typeof body.message === "string") return body.message;
    } catch {
      // fall through to the raw body, as the docker CLI does
    }
  }
  return text.trim() || `${response.status} ${response.statusText}`;
}
