/** engine: the local container engine (for now its persistent identity). */
export { openEngineMeta } from "./engine-identity.ts";
export type { EngineMeta } from "./engine-identity.ts";
export { DEFAULT_LAYER_LIMITS, detectCompression, layerPath, listLayer, unpackLayer } from "./layer-unpack.ts";
export type { LayerLimits, UnpackedLayer } from "./layer-unpack.ts";
