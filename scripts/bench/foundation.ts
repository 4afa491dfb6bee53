/**
 * Foundation figures: binary size, CLI start time (beside the docker CLI's), daemon start → first
 * /_ping answer, daemon idle RSS. Usage: bun scripts/bench/foundation.ts [path/to/shoal]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { startDaemonProcess, pingSocket, waitForDaemon } from "../../test/support/daemon-process.ts";
import { median, report, rssMiB, timeCommand } from "./stats.ts";

const binary = resolve(process.argv[2] ?? join(import.meta.dir, "../../dist/shoal"));
const dir = mkdtempSync("/tmp/shoal-bench-");
const RUNS = 20;

try {
  console.log(`# foundation (${binary})`);
  report("binary size", `${(statSync(binary).size / 1024 / 1024).toFixed(1)} MiB`, "goal ≤ 120 MiB");

  // CLI start, client only, interleaved with the docker CLI's so both see the same machine load.
  const shoalTimes: number[] = [];
  const dockerTimes: number[] = [];
  const hasDocker = Bun.which("docker") !== null;
  for (let run = 0; run < RUNS; run++) {
    shoalTimes.push(timeCommand([binary, "--version"]));
    if (hasDocker) dockerTimes.push(timeCommand(["docker", "--version"]));
  }
  report("`shoal --version` median of 20", `${median(shoalTimes).toFixed(1)} ms`,
    `goal ≤ 60 ms; docker --version ${hasDocker ? `${median(dockerTimes).toFixed(1)} ms` : "n/a (no docker CLI)"}`);

  // Daemon start to first /_ping answer, 10 starts on fresh roots.
  const readyTimes: number[] = [];
  for (let run = 0; run < 10; run++) {
    const root = join(dir, `start-${run}`);
    const started = performance.now();
    const daemon = startDaemonProcess({ binary, dataRoot: join(root, "data"), execRoot: join(root, "run"), logFile: join(root, "log"), extraArgs: ["--bridge", "none"] });
    while (!(await pingSocket(daemon.socket))) {
      if (daemon.hasExited()) throw new Error(`daemon exited:\n${daemon.log()}`);
      await Bun.sleep(1);
    }
    readyTimes.push(performance.now() - started);
    process.kill(daemon.pid, "SIGTERM");
    await daemon.exited;
  }
  report("daemon start → first /_ping, median of 10", `${median(readyTimes).toFixed(0)} ms`, "goal ≤ 300 ms");

  // Idle RSS after the daemon has served a few requests and settled.
  const root = join(dir, "idle");
  const daemon = startDaemonProcess({ binary, dataRoot: join(root, "data"), execRoot: join(root, "run"), logFile: join(root, "log"), extraArgs: ["--bridge", "none"] });
  await waitForDaemon(daemon);
  for (let request = 0; request < 20; request++) await fetch("http://shoal/v1.51/info", { unix: daemon.socket });
  const versionTimes: number[] = [];
  for (let run = 0; run < RUNS; run++) versionTimes.push(timeCommand([binary, "-H", `unix://${daemon.socket}`, "version"]));
  const dockerVersionTimes: number[] = [];
  if (hasDocker) {
    for (let run = 0; run < RUNS; run++) {
      dockerVersionTimes.push(timeCommand(["docker", "version"], { DOCKER_HOST: `unix://${daemon.socket}`, DOCKER_CONFIG: join(dir, "docker") }));
    }
  }
  report("`shoal version` against a daemon, median", `${median(versionTimes).toFixed(1)} ms`,
    hasDocker ? `docker version against the same daemon ${median(dockerVersionTimes).toFixed(1)} ms` : "");
  await Bun.sleep(3000);
  report("daemon idle RSS", `${rssMiB(daemon.pid).toFixed(1)} MiB`, "goal ≤ 80 MiB");
  process.kill(daemon.pid, "SIGTERM");
  await daemon.exited;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
