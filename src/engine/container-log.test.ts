/** Log rotation (max-size/max-file) and following, on files and on real conmon containers (as root). */
import { beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { useRuntimeFixture } from "../../test/support/runtime-fixture.ts";
import { normalizeLogLimits, readLogLines, rotateLog } from "./container-log.ts";
import { ContainerRuntime, type LogLine } from "./container-runtime.ts";
import { buildOciSpec, parseHardLimits } from "./oci-spec.ts";

const fixture = useRuntimeFixture("log", { logRotationIntervalMs: 20 });
const { work, created, layer } = fixture;
let runtime: ContainerRuntime;
beforeAll(() => {
  runtime = fixture.runtime;
});

async function run(id: string, script: string, log?: { maxSizeBytes?: number; maxFiles?: number }): Promise<void> {
  created.push(id);
  const spec = fixture.spec(id, ["sh", "-c", script]);
  await runtime.create(id, spec, [layer], { log });
  runtime.start(id);
}

/** A script printing `line-0` … `line-<count-1>`, pausing 50 ms after every `burst` lines. */
function lines(count: number, burst: number): string {
  return `i=0; while [ $i -lt ${count} ]; do echo line-$i; i=$((i+1)); [ $((i % ${burst})) -eq 0 ] && busybox sleep 0.05; done; true`;
}

const record = (text: string) => `2026-11-25T14:35:36.544720804+00:00 stdout F ${text}\n`;

test("rotateLog shifts the files, drops those beyond max-file and asks for a reopen", () => {
  const dir = mkdtempSync(join(work, "files-"));
  const path = join(dir, "container.log");
  let reopened = 0;
  const target = { path, limits: { maxSizeBytes: 100, maxFiles: 3 }, reopen: () => (writeFileSync(path, ""), ++reopened > 0) };
  writeFileSync(path, record("a"));
  expect(rotateLog(target)).toBe(false);
  for (const text of ["b", "c", "d", "e"]) {
    writeFileSync(path, record(text).repeat(3), { flag: "a" });
    expect(rotateLog(target)).toBe(true);
  }
  expect(reopened).toBe(4);
  expect(readdirSync(dir).sort()).toEqual(["container.log", "container.log.1", "container.log.2"]);
  expect(readLogLines(path).map((line) => line.text).join("")).toBe("dddeee");
  // With conmon yet to reopen (no current log), nothing moves.
  rmSync(path);
  expect(rotateLog(target)).toBe(false);
  expect(readdirSync(dir).sort()).toEqual(["container.log.1", "container.log.2"]);
});

test("max-file 1 drops the old lines at once", () => {
  const dir = mkdtempSync(join(work, "files-"));
  const path = join(dir, "container.log");
  const target = { path, limits: { maxSizeBytes: 50, maxFiles: 1 }, reopen: () => true };
  writeFileSync(path, record("old").repeat(3));
  expect(rotateLog(target)).toBe(true);
  expect(readdirSync(dir)).toEqual([]);
  writeFileSync(path, record("new"));
  expect(rotateLog(target)).toBe(false);
  expect(readLogLines(path).map((line) => line.text)).toEqual(["new"]);
});

test("log limits follow docker's rules", () => {
  expect(normalizeLogLimits(undefined)).toBeNull();
  expect(normalizeLogLimits({ maxSizeBytes: 10 })).toEqual({ maxSizeBytes: 10, maxFiles: 1 });
  expect(() => normalizeLogLimits({ maxFiles: 3 })).toThrow("max-file can only be used with max-size");
  expect(() => normalizeLogLimits({ maxSizeBytes: 0 })).toThrow("invalid max-size");
  expect(() => normalizeLogLimits({ maxSizeBytes: 10, maxFiles: 0 })).toThrow("invalid max-file");
});

test("a container writing a lot keeps at most max-file files of about max-size, the newest lines complete and in order", async () => {
  const maxSizeBytes = 4096;
  await run("rotating", lines(1000, 20), { maxSizeBytes, maxFiles: 3 });
  const seenFiles = new Set<string>();
  while (runtime.exitCode("rotating") === null) {
    // (conmon's own `container.log.tmp` exists for a moment while it reopens)
    for (const name of readdirSync(runtime.dir("rotating"))) if (/^container\.log(\.\d+)?$/.test(name)) seenFiles.add(name);
    await Bun.sleep(10);
  }
  expect(await runtime.wait("rotating", 30_000)).toBe(0);
  expect([...seenFiles].every((name) => ["container.log", "container.log.1", "container.log.2"].includes(name))).toBe(true);
  const files = readdirSync(runtime.dir("rotating")).filter((name) => name.startsWith("container.log"));
  expect(files.length).toBeLessThanOrEqual(3);
  // Over max-size by what is written between two checks: a burst (20 lines of about 50 bytes) or
  // two, when a 20 ms check comes late on a busy machine.
  for (const name of files) expect(statSync(join(runtime.dir("rotating"), name)).size).toBeLessThanOrEqual(maxSizeBytes + 3000);
  const texts = runtime.logs("rotating").map((line) => line.text);
  const first = Number(texts[0]!.slice("line-".length));
  expect(texts).toEqual(Array.from({ length: 1000 - first }, (_, index) => `line-${first + index}`));
  // The rotated files were each over max-size when they were rotated: two of them are kept.
  expect(statSync(join(runtime.dir("rotating"), "container.log.1")).size).toBeGreaterThan(maxSizeBytes);
  expect(statSync(join(runtime.dir("rotating"), "container.log.2")).size).toBeGreaterThan(maxSizeBytes);
}, 60_000);

test("a new runtime object goes on rotating the logs of running containers (the daemon restarted)", async () => {
  const dirs = { containersDir: join(work, "containers"), execRoot: join(work, "run"), logRotationIntervalMs: 20 };
  const first = new ContainerRuntime(dirs);
  created.push("restarted");
  const spec = buildOciSpec({ Cmd: ["sh", "-c", `busybox sleep 0.3; ${lines(600, 20)}`], Env: ["PATH=/bin"] }, { hostname: "restarted", rootfs: "(set by create)", cgroupsPath: "/shoal-log-test/restarted" }, { passwd: null, group: null }, parseHardLimits(readFileSync("/proc/self/limits", "utf8")));
  await first.create("restarted", spec, [layer], { log: { maxSizeBytes: 2048, maxFiles: 2 } });
  first.start("restarted");
  first.close();
  const again = new ContainerRuntime(dirs);
  try {
    expect(await again.wait("restarted", 30_000)).toBe(0);
    const files = readdirSync(again.dir("restarted")).filter((name) => name.startsWith("container.log"));
    expect(files).toContain("container.log.1");
    expect(files.every((name) => name === "container.log" || name === "container.log.1")).toBe(true);
    const texts = again.logs("restarted").map((line) => line.text);
    const oldest = Number(texts[0]!.slice("line-".length));
    expect(oldest).toBeGreaterThan(0);
    expect(texts).toEqual(Array.from({ length: 600 - oldest }, (_, index) => `line-${oldest + index}`));
  } finally {
    again.close();
  }
}, 60_000);

test("followLogs yields the existing lines, then new ones across rotations, and ends when the container exits", async () => {
  await run("followed", `echo old-1; echo old-2 >&2; busybox sleep 0.5; ${lines(1000, 50)}; echo last`, { maxSizeBytes: 2048, maxFiles: 100 });
  while (runtime.logs("followed").length < 2) await Bun.sleep(10);
  const seen: LogLine[] = [];
  for await (const line of runtime.followLogs("followed")) seen.push(line);
  expect(runtime.exitCode("followed")).toBe(0);
  expect(seen.slice(0, 2).map((line) => `${line.stream} ${line.text}`)).toEqual(["stdout old-1", "stderr old-2"]);
  expect(seen.slice(2).map((line) => line.text)).toEqual([...Array.from({ length: 1000 }, (_, index) => `line-${index}`), "last"]);
  expect(readdirSync(runtime.dir("followed")).filter((name) => name.startsWith("container.log.")).length).toBeGreaterThan(3);
}, 60_000);

test("followLogs honours tail and since, and stops when aborted", async () => {
  await run("tailed", "echo a; echo b; echo c; busybox sleep 1.2; echo d; echo e; busybox sleep 1000");
  while (runtime.logs("tailed").length < 5) await Bun.sleep(20);
  const all = runtime.logs("tailed");
  const follow = async (options: { tail?: number; since?: Date }, count: number) => {
    const controller = new AbortController();
    const texts: string[] = [];
    for await (const line of runtime.followLogs("tailed", { ...options, signal: controller.signal })) {
      texts.push(line.text);
      if (texts.length === count) controller.abort();
    }
    return texts;
  };
  expect(await follow({ tail: 2 }, 2)).toEqual(["d", "e"]);
  expect(await follow({ since: new Date(Date.parse(all[3]!.time)) }, 2)).toEqual(["d", "e"]);
  expect(await follow({ tail: 4, since: new Date(Date.parse(all[3]!.time)) }, 2)).toEqual(["d", "e"]);
  // tail 0: no old lines; the follower waits for new ones until aborted.
  const controller = new AbortController();
  const none: string[] = [];
  setTimeout(() => controller.abort(), 300);
  for await (const line of runtime.followLogs("tailed", { tail: 0, signal: controller.signal })) none.push(line.text);
  expect(none).toEqual([]);
  await runtime.stop("tailed", 100);
}, 30_000);
