import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ContainerRuntime, type ContainerRuntimeOptions } from "../../src/engine/container-runtime.ts";
import { unpackLayer } from "../../src/engine/layer-unpack.ts";
import { buildOciSpec, parseHardLimits } from "../../src/engine/oci-spec.ts";
import { busyboxImage, chunksOf } from "./image-archives.ts";

/** A container runtime over a scratch directory and the busybox layer, for tests with real runc. */
export interface RuntimeFixture {
  /** The scratch directory (containers/, run/, layer/). */
  readonly work: string;
  readonly runtime: ContainerRuntime;
  /** The unpacked busybox layer, the one lower layer of every test container. */
  readonly layer: string;
  /** IDs of containers to delete at the end: push every ID a test creates. */
  readonly created: string[];
  /** A spec running `cmd` (PATH=/bin) in cgroup `/shoal-<tag>-test/<id>`. */
  spec(id: string, cmd: string[]): Record<string, unknown>;
  /** The runtime options of this fixture, for a second runtime object over the same directories. */
  options(): ContainerRuntimeOptions;
}

/**
 * Sets up (beforeAll) and tears down (afterAll: containers deleted, runtime closed, scratch and
 * cgroups removed, even after failures) a runtime fixture; read its fields inside tests.
 */
export function useRuntimeFixture(tag: string, extra: Partial<ContainerRuntimeOptions> = {}): RuntimeFixture {
  const work = mkdtempSync(`/tmp/shoal-${tag}-`);
  const options = (): ContainerRuntimeOptions => ({ containersDir: join(work, "containers"), execRoot: join(work, "run"), ...extra });
  const created: string[] = [];
  let runtime: ContainerRuntime | undefined;
  const layer = join(work, "layer");
  beforeAll(async () => {
    await unpackLayer(chunksOf((await busyboxImage()).layer), layer);
    runtime = new ContainerRuntime(options());
  });
  afterAll(async () => {
    for (const id of created) await runtime?.delete(id).catch(() => {});
    runtime?.close();
    rmSync(work, { recursive: true, force: true });
    Bun.spawnSync(["sh", "-c", `find /sys/fs/cgroup -depth -type d -name 'shoal-${tag}-test*' -exec rmdir {} + 2>/dev/null; true`]);
  });
  const limits = parseHardLimits(readFileSync("/proc/self/limits", "utf8"));
  return {
    work,
    get runtime() {
      if (!runtime) throw new Error("the runtime fixture is not set up yet (use it inside tests)");
      return runtime;
    },
    layer,
    created,
    spec: (id, cmd) => buildOciSpec({ Cmd: cmd, Env: ["PATH=/bin"] }, { hostname: id, rootfs: "(set by create)", cgroupsPath: `/shoal-${tag}-test/${id}` }, { passwd: null, group: null }, limits),
    options,
  };
}
