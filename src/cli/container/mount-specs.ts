/** A `--mount` value docker refuses; the message is docker's. */
export class MountSpecError extends Error {}

/** One entry of `HostConfig.Mounts`, with the Engine API's field names. */
export interface MountSpec {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

function bool(key: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  if (["1", "true", "t", "TRUE", "True"].includes(value)) return true;
  if (["0", "false", "f", "FALSE", "False"].includes(value)) return false;
  throw new MountSpecError(`invalid value for ${key}: ${value}`);
}

/**
 * Parses one `--mount` value (`type=bind,source=/a,target=/b,readonly`), as docker's MountOpt does;
 * the type defaults to `volume`.
 */
export function parseMount(text: string, parseSize: (value: string) => number | undefined): MountSpec {
  const mount: MountSpec = { Type: "volume" };
  const volume = () => (mount.VolumeOptions ??= {});
  const bind = () => (mount.BindOptions ??= {});
  const tmpfs = () => (mount.TmpfsOptions ??= {});
  for (const field of text.split(",")) {
    const equals = field.indexOf("=");
    const key = (equals < 0 ? field : field.slice(0, equals)).trim().toLowerCase();
    const value = equals < 0 ? undefined : field.slice(equals + 1);
    if (value === undefined && !["readonly", "ro", "volume-nocopy", "bind-nonrecursive"].includes(key)) {
      throw new MountSpecError(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case "type":
        mount.Type = value!.toLowerCase();
        break;
      case "source":
      case "src":
        mount.Source = value;
        break;
      case "target":
      case "dst":
      case "destination":
        mount.Target = value;
        break;
      case "readonly":
      case "ro":
        mount.ReadOnly = bool(key, value);
        break;
      case "bind-propagation":
        bind().Propagation = value!.toLowerCase();
        break;
      case "bind-nonrecursive":
        bind().NonRecursive = bool(key, value);
        break;
      case "volume-nocopy":
        volume().NoCopy = bool(key, value);
        break;
      case "volume-subpath":
        volume().Subpath = value;
        break;
      case "volume-driver":
        (volume().DriverConfig ??= {}).Name = value;
        break;
      case "volume-label": {
        const [name = "", labelValue = ""] = value!.split(/=(.*)/s);
        (volume().Labels ??= {})[name] = labelValue;
        break;
      }
      case "volume-opt": {
        const [name = "", optValue = ""] = value!.split(/=(.*)/s);
        ((volume().DriverConfig ??= {}).Options ??= {})[name] = optValue;
        break;
      }
      case "tmpfs-size": {
        const size = parseSize(value!);
        if (size === undefined) throw new MountSpecError(`invalid value for ${key}: ${value}`);
        tmpfs().SizeBytes = size;
        break;
      }
      case "tmpfs-mode": {
        const mode = Number.parseInt(value!, 8);
        if (Number.isNaN(mode)) throw new MountSpecError(`invalid value for ${key}: ${value}`);
        tmpfs().Mode = mode;
        break;
      }
      case "consistency":
        break;
      default:
        throw new MountSpecError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!mount.Target) throw new MountSpecError("target is required");
  if (mount.Type !== "volume" && mount.VolumeOptions) throw new MountSpecError(`cannot mix 'volume-*' options with mount type '${mount.Type}'`);
  if (mount.Type !== "bind" && mount.BindOptions) throw new MountSpecError(`cannot mix 'bind-*' options with mount type '${mount.Type}'`);
  if (mount.Type !== "tmpfs" && mount.TmpfsOptions) throw new MountSpecError(`cannot mix 'tmpfs-*' options with mount type '${mount.Type}'`);
  return mount;
}
