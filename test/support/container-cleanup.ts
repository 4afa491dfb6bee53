import { existsSync, readFileSync, readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Removes every trace of the containers a daemon under `dir` ran, even when the daemon was killed:
 * runc containers (killed and deleted), their conmon monitors, mounts under `dir`, and their cgroups.
 */
export function removeContainersUnder(dir: string, runcRoot: string): void {
  const ids: string[] = [];
  if (existsSync(runcRoot)) {
    const list = Bun.spawnSync(["runc", "--root", runcRoot, "list", "-q"], { stdout: "pipe", stderr: "ignore" });
    ids.push(...list.stdout.toString().split("\n").filter(Boolean));
    for (const id of ids) {
      Bun.spawnSync(["runc", "--root", runcRoot, "kill", id, "KILL"], { stdout: "ignore", stderr: "ignore" });
      Bun.spawnSync(["runc", "--root", runcRoot, "delete", "--force", id], { stdout: "ignore", stderr: "ignore" });
    }
  }
  Bun.spawnSync(["pkill", "-KILL", "-f", `conmon .*${dir}`], { stdout: "ignore", stderr: "ignore" });
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((target) => target.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) Bun.spawnSync(["umount", "-l", target], { stdout: "ignore", stderr: "ignore" });
  for (const controller of existsSync("/sys/fs/cgroup") ? readdirSync("/sys/fs/cgroup") : []) {
    for (const id of ids) {
      for (const path of [join("/sys/fs/cgroup", controller, "shoal", id), join("/sys/fs/cgroup", controller, "shoal-test", id)]) {
        try {
          rmdirSync(path);
        } catch {
          // not there, or not a directory hierarchy of this controller
        }
      }
    }
  }
}
