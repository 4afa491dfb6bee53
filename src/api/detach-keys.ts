import { ShoalError } from "../lib/index.ts";

/** Docker's default detach sequence, ctrl-p ctrl-q. */
const DEFAULT_DETACH_KEYS = Uint8Array.of(0x10, 0x11);

/** `ctrl-p,ctrl-q`, `a,ctrl-x`… (docker's `--detach-keys`) as bytes; absent or empty: ctrl-p ctrl-q. */
export function parseDetachKeys(text: string | null): Uint8Array {
  if (text === null || text === "") return DEFAULT_DETACH_KEYS;
  return Uint8Array.from(
    text.split(",").map((key) => {
      const control = /^ctrl-([a-z@\[\\\]^_])$/.exec(key);
      if (control) return control[1]!.toUpperCase().charCodeAt(0) & 0x1f;
      if (key.length === 1) return key.charCodeAt(0);
      throw new ShoalError("invalid_argument", `Invalid detach keys (${text}) provided`);
    }),
  );
}

/**
 * Passes input on until the detach sequence is typed: bytes that may start the sequence are held
 * until it is complete (then `detach`) or broken (then they go on as input).
 */
export class DetachScanner {
  readonly #keys: Uint8Array;
  #matched = 0;

  constructor(keys: Uint8Array) {
    this.#keys = keys;
  }

  /** The input to pass on, and whether the sequence was completed (what follows it is dropped). */
  scan(chunk: Uint8Array): { input: Uint8Array; detach: boolean } {
    if (this.#keys.length === 0) return { input: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.#keys[this.#matched]) {
        this.#matched++;
        if (this.#matched === this.#keys.length) return { input: Uint8Array.from(out), detach: true };
        continue;
      }
      out.push(...this.#keys.subarray(0, this.#matched));
      this.#matched = 0;
      if (byte === this.#keys[0]) this.#matched = 1;
      else out.push(byte);
    }
    return { input: Uint8Array.from(out), detach: false };
  }
}
