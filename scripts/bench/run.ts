/** `make bench`: runs every benchmark suite in turn and prints their figures. */
import { join } from "node:path";

const SUITES = ["foundation.ts", "transport.ts", "raft.ts", "engine.ts", "swarm.ts", "services.ts", "scheduler.ts", "scale.ts"];
for (const suite of SUITES) {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, suite), ...process.argv.slice(2)], { stdout: "inherit", stderr: "inherit" });
  if ((await child.exited) !== 0) process.exitCode = 1;
}
