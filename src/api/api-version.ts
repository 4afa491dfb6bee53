import { API_VERSION, MIN_API_VERSION, ShoalError, compareApiVersions } from "../lib/index.ts";

const VERSIONED_PATH = /^\/v([0-9]+(?:\.[0-9]+)?)(\/.*)$/;

/** A request path split into the API version it names (if any) and the route path. */
export interface VersionedPath {
  /** The version in the `/vX.Y` prefix, or null for an unversioned path. */
  version: string | null;
  /** The path the router matches, without the version prefix. */
  path: string;
}

/** Splits `/v1.51/info` into version `1.51` and path `/info`; unversioned paths pass through. */
export function splitVersionedPath(pathname: string): VersionedPath {
  const match = VERSIONED_PATH.exec(pathname);
  if (!match) return { version: null, path: pathname };
  return { version: match[1]!, path: match[2]! };
}

/**
 * The API version a request is served at: the one in its path, or the newest for an unversioned
 * path. Versions outside what shoal serves are refused with moby's wording.
 */
export function negotiatedVersion(requested: string | null): string {
  if (requested === null) return API_VERSION;
  if (compareApiVersions(requested, MIN_API_VERSION) < 0) {
    throw new ShoalError(
      "invalid_argument",
      `client version ${requested} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  if (compareApiVersions(requested, API_VERSION) > 0) {
    throw new ShoalError(
      "invalid_argument",
      `client version ${requested} is too new. Maximum supported API version is ${API_VERSION}`,
    );
  }
  return requested;
}
