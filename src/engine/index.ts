/** engine: the local container engine (for now its persistent identity). */
export { openEngineMeta } from "./engine-identity.ts";
export type { EngineMeta } from "./engine-identity.ts";
export { DEFAULT_LAYER_LIMITS, detectCompression, layerPath, listLayer, unpackLayer } from "./layer-unpack.ts";
export type { LayerLimits, UnpackedLayer } from "./layer-unpack.ts";
export { digestHex, parseDigest } from "./digest.ts";
export type { Digest } from "./digest.ts";
export { ContentStore } from "./content-store.ts";
export { LayerStore } from "./layer-store.ts";
export { ImageStore, normalizeTag } from "./image-store.ts";
export type { ImageRecord } from "./image-store.ts";
export { loadImageArchive } from "./image-archive.ts";
export type { ImageStores } from "./image-archive.ts";
export { Engine } from "./engine.ts";
export type { ImageDeleteItem } from "./engine.ts";
