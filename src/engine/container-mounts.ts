import { existsSync, mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { ShoalError } from "../lib/index.ts";
import type { ContainerRecord } from "./container-record.ts";
import { parseBind } from "./container-request.ts";
import type { VolumeProvider } from "./container-hooks.ts";
import type { ContainerOptions } from "./oci-spec.ts";

/** The bind, volume and tmpfs mounts of a container, recorded in its `Mounts`. */
export async function containerMounts(record: ContainerRecord, volumes: VolumeProvider | undefined): Promise<NonNullable<ContainerOptions["mounts"]>> {
  const result: NonNullable<ContainerOptions["mounts"]> = [];
  const points: ContainerRecord["Mounts"] = [];
  const add = async (type: "bind" | "volume" | "tmpfs", source: string, target: string, readOnly: boolean, extra: string[] = []) => {
    if (type === "tmpfs") {
      result.push({ source: "tmpfs", destination: target, type: "tmpfs", options: ["nosuid", "nodev", "noexec", ...extra, ...(readOnly ? ["ro"] : [])] });
      points.push({ Type: "tmpfs", Source: "", Destination: target, Mode: "", RW: !readOnly, Propagation: "" });
      return;
    }
    let hostPath = source;
    if (type === "volume") {
      if (!volumes) throw new ShoalError("unimplemented", `named volumes are not available on this daemon (volume ${source})`);
      hostPath = await volumes.ensure(source);
    } else if (!existsSync(hostPath)) {
      throw new ShoalError("invalid_argument", `invalid mount config for type "bind": bind source path does not exist: ${hostPath}`);
    }
    result.push({ source: hostPath, destination: target, type: "bind", readOnly, options: ["rbind", "rprivate", ...(readOnly ? ["ro"] : [])] });
    points.push({ Type: type, Name: type === "volume" ? source : undefined, Source: hostPath, Destination: target, Driver: type === "volume" ? "local" : undefined, Mode: readOnly ? "ro" : "", RW: !readOnly, Propagation: type === "bind" ? "rprivate" : "" });
  };
  for (const bind of record.HostConfig.Binds ?? []) {
    const spec = parseBind(bind);
    // `-v /host/path:/path` creates a missing host directory (docker's legacy rule; --mount does not).
    if (!spec.isVolume && !existsSync(spec.source)) mkdirSync(spec.source, { recursive: true, mode: 0o755 });
    await add(spec.isVolume ? "volume" : "bind", spec.source, spec.target, spec.readOnly);
  }
  for (const mount of record.HostConfig.Mounts ?? []) {
    const size = mount.TmpfsOptions?.SizeBytes ? [`size=${mount.TmpfsOptions.SizeBytes}`] : [];
    const mode = mount.TmpfsOptions?.Mode ? [`mode=${mount.TmpfsOptions.Mode.toString(8)}`] : [];
    const source = mount.Source ?? (mount.Type === "volume" ? randomBytes(32).toString("hex") : "");
    await add(mount.Type, source, mount.Target, mount.ReadOnly ?? false, [...size, ...mode]);
  }
  for (const [target, options] of Object.entries(record.HostConfig.Tmpfs ?? {})) await add("tmpfs", "", target, false, options ? options.split(",") : []);
  record.Mounts = points;
  return result;
}
