/** engine: the local container engine (for now its persistent identity). */
export { openEngineMeta } from "./engine-identity.ts";
export type { EngineMeta } from "./engine-identity.ts";
