/**
 * The one place that loads @peculiar/x509, on first use: it costs ≈75 ms to load, and it needs reflect-metadata
 * evaluated first. `require` keeps that order even in a lazily imported chunk of the compiled binary, where Bun's
 * bundler runs a side-effect `import "reflect-metadata"` after the ESM imports (research/toolchain.md §7).
 * Other pki files call `x509()` for classes and use `X509` for types, never the package directly.
 */
import type * as X509 from "@peculiar/x509";

export type { X509 };

let loaded: typeof X509 | null = null;

/** The @peculiar/x509 module with Bun's WebCrypto as its provider, loaded on the first call. */
export function x509(): typeof X509 {
  if (!loaded) {
    require("reflect-metadata");
    const module = require("@peculiar/x509") as typeof X509;
    module.cryptoProvider.set(crypto);
    loaded = module;
  }
  return loaded;
}

/** The key and signature algorithm of every swarm key: ECDSA on P-256 with SHA-256. */
export const EC_ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
