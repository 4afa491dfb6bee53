import { afterAll, beforeAll } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeContainersUnder } from "./container-cleanup.ts";
import { busyboxImage, dockerSaveArchive } from "./image-archives.ts";
import { startTestDaemon, type TestDaemon } from "./test-daemon.ts";

/** The busybox image every docker CLI suite loads. */
export const TEST_IMAGE = "shoal-test/busybox:1";

/**
 * A test daemon with the busybox image loaded through `docker load` (beforeAll), and every
 * container, mount, process and directory of it gone afterwards (afterAll), even after failures.
 * Read `current()` inside tests.
 */
export function useDockerTestDaemon(): { current(): TestDaemon } {
  let daemon: TestDaemon | undefined;
  beforeAll(async () => {
    daemon = await startTestDaemon();
    const image = await busyboxImage(["sh", "-c", "echo hi"]);
    const archive = join(daemon.dir, "busybox.tar");
    writeFileSync(archive, await dockerSaveArchive([TEST_IMAGE], image.config, image.layer));
    const loaded = await daemon.docker(["load", "-i", archive]);
    if (loaded.exitCode !== 0) throw new Error(`docker load failed: ${loaded.stderr}`);
  }, 60_000);
  afterAll(async () => {
    if (!daemon) return;
    const ids = (await daemon.docker(["ps", "-aq"])).stdout.split("\n").filter(Boolean);
    if (ids.length > 0) await daemon.docker(["rm", "-f", ...ids]).catch(() => {});
    await daemon.stop("SIGKILL");
    removeContainersUnder(daemon.dir, join(daemon.execRoot, "runtime", "runc"));
    await daemon.dispose();
  }, 60_000);
  return {
    current() {
      if (!daemon) throw new Error("the test daemon is not started yet (use it inside tests)");
      return daemon;
    },
  };
}
