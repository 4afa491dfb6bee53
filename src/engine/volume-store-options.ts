import { ShoalError } from "../lib/index.ts";

/** The driver options docker's local driver knows (`docker volume create --opt …`). */
const LOCAL_DRIVER_OPTIONS = new Set(["type", "device", "o", "size"]);

/** Options that only make sense together, as docker's local driver requires them. */
const REQUIRED_WITH: Record<string, string[]> = { device: ["type"], type: ["device"], o: ["device", "type"] };

/** The tmpfs mount options shoal passes on (`o=size=64m,mode=1777,uid=1000`). */
const TMPFS_OPTIONS: Record<string, RegExp> = {
  size: /^\d+[kmgKMG%]?$/,
  nr_blocks: /^\d+[kmgKMG%]?$/,
  nr_inodes: /^\d+[kmgKMG%]?$/,
  mode: /^[0-7]{3,4}$/,
  uid: /^\d+$/,
  gid: /^\d+$/,
};

/** How a volume with driver options is mounted on its `_data` directory when first used. */
export interface VolumeMountSpec {
  device: string;
  type: string;
  /** The filesystem's mount data (`size=64m,mode=1777`). */
  data: string;
}

/**
 * Checks a local volume's `DriverOpts` the way docker's local driver does (unknown keys, missing
 * companions), then keeps to what shoal can mount: `type=tmpfs` with tmpfs' own `o` options.
 * Returns how to mount the volume, or null when it is a plain directory.
 */
export function localMountSpec(options: Record<string, string>): VolumeMountSpec | null {
  const keys = Object.keys(options);
  if (keys.length === 0) return null;
  for (const key of keys) {
    if (!LOCAL_DRIVER_OPTIONS.has(key)) throw new ShoalError("invalid_argument", `invalid option: "${key}"`);
  }
  if ("size" in options) throw new ShoalError("invalid_argument", "quota size requested but no quota support");
  for (const [key, required] of Object.entries(REQUIRED_WITH)) {
    if (!(key in options)) continue;
    for (const other of required) {
      if (!(other in options)) throw new ShoalError("invalid_argument", `missing required option: "${other}"`);
    }
  }
  const type = options.type!;
  if (type !== "tmpfs") {
    throw new ShoalError(
      "invalid_argument",
      `unsupported volume type "${type}": shoal's local driver mounts only tmpfs (--opt type=tmpfs --opt device=tmpfs --opt o=size=64m)`,
    );
  }
  const data = (options.o ?? "").split(",").filter((item) => item !== "");
  for (const item of data) {
    const [key = "", value] = item.split("=", 2);
    const pattern = TMPFS_OPTIONS[key];
    if (!pattern) {
      throw new ShoalError(
        "invalid_argument",
        `unsupported tmpfs option "${item}": use only ${Object.keys(TMPFS_OPTIONS).join(", ")} (as key=value)`,
      );
    }
    if (value === undefined || !pattern.test(value)) throw new ShoalError("invalid_argument", `invalid tmpfs option "${item}"`);
  }
  return { device: options.device!, type, data: data.join(",") };
}
