import packageJson from "../../package.json" with { type: "json" };

/** What this build of shoal is: stamped by scripts/build.ts, read from the tree when run from source. */
export interface BuildInfo {
  /** shoal's own version (package.json). */
  version: string;
  /** Short git commit the binary was built from, or "dev". */
  gitCommit: string;
  /** RFC 3339 build time, or "" when run from source. */
  buildTime: string;
  /** The Bun runtime inside the binary. */
  bunVersion: string;
}

declare const SHOAL_BUILD_COMMIT: string | undefined;
declare const SHOAL_BUILD_TIME: string | undefined;

/** This process's build information. */
export const BUILD_INFO: BuildInfo = {
  version: packageJson.version,
  gitCommit: typeof SHOAL_BUILD_COMMIT === "string" ? SHOAL_BUILD_COMMIT : "dev",
  buildTime: typeof SHOAL_BUILD_TIME === "string" ? SHOAL_BUILD_TIME : "",
  bunVersion: Bun.version,
};

/** The newest Docker Engine API version shoal serves (what docker CLI 28.3+ speaks). */
export const API_VERSION = "1.51";

/** The oldest Docker Engine API version shoal serves (the first with swarm mode). */
export const MIN_API_VERSION = "1.24";

/** Compares two `major.minor` API versions: negative when a < b. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}

/** Docker's names for Node's architectures (`GOARCH` style), used in OS/Arch lines. */
export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386" };
  return names[arch] ?? arch;
}
