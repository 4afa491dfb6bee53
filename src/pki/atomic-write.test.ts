import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { caught } from "../../test/support/pki-fixtures.ts";
import { writeFileAtomic } from "./atomic-write.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "shoal-atomic-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("a write creates the file with exactly the mode asked for, whatever the umask, and leaves no temp file", async () => {
  const previous = process.umask(0o077);
  try {
    await writeFileAtomic(join(dir, "public.crt"), "cert", { mode: 0o644 });
  } finally {
    process.umask(previous);
  }
  await writeFileAtomic(join(dir, "secret.key"), new TextEncoder().encode("key"), { mode: 0o600 });
  expect(statSync(join(dir, "public.crt")).mode & 0o777).toBe(0o644);
  expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(dir, "secret.key"), "utf8")).toBe("key");
  expect(readdirSync(dir).sort()).toEqual(["public.crt", "secret.key"]);
});

test("a write replaces an existing file, taking the new mode", async () => {
  const path = join(dir, "swarm-node.key");
  writeFileSync(path, "old", { mode: 0o644 });
  await writeFileAtomic(path, "new", { mode: 0o600 });
  expect(readFileSync(path, "utf8")).toBe("new");
  expect(statSync(path).mode & 0o777).toBe(0o600);
});

test("a failure before the rename leaves the old file and removes the temp file", async () => {
  const path = join(dir, "swarm-node.crt");
  writeFileSync(path, "old");
  const error = await caught(() =>
    writeFileAtomic(path, "new", {
      mode: 0o644,
      beforeRename: () => {
        throw new Error("disk went away");
      },
    }),
  );
  expect(error.code).toBe("internal");
  expect(error.message).toBe(`cannot write ${path}: disk went away`);
  expect(readFileSync(path, "utf8")).toBe("old");
  expect(readdirSync(dir)).toEqual(["swarm-node.crt"]);
});

test("a crash between the temp write and the rename leaves the old file intact, and the next write cleans up", async () => {
  const path = join(dir, "swarm-node.key");
  writeFileSync(path, "old key", { mode: 0o600 });
  const script = join(dir, "crash.ts");
  writeFileSync(
    script,
    `import { writeFileAtomic } from ${JSON.stringify(join(import.meta.dir, "atomic-write.ts"))};
await writeFileAtomic(${JSON.stringify(path)}, "new key", { mode: 0o600, beforeRename: () => process.kill(process.pid, "SIGKILL") });
console.log("not reached");`,
  );
  const child = Bun.spawnSync([process.execPath, script], { stdout: "pipe", stderr: "pipe" });
  rmSync(script);
  expect(child.signalCode).toBe("SIGKILL");
  expect(child.stdout.toString()).toBe("");
  expect(readFileSync(path, "utf8")).toBe("old key");
  const leftovers = readdirSync(dir).filter((name) => name !== "swarm-node.key");
  expect(leftovers).toHaveLength(1);
  expect(leftovers[0]).toStartWith(".swarm-node.key.tmp-");
  expect(readFileSync(join(dir, leftovers[0]!), "utf8")).toBe("new key");
  await writeFileAtomic(path, "newer key", { mode: 0o600 });
  expect(readFileSync(path, "utf8")).toBe("newer key");
  expect(readdirSync(dir)).toEqual(["swarm-node.key"]);
});

test("a write into a missing directory fails naming the file", async () => {
  const path = join(dir, "missing", "swarm-node.crt");
  const error = await caught(() => writeFileAtomic(path, "x", { mode: 0o644 }));
  expect(error.code).toBe("internal");
  expect(error.message).toStartWith(`cannot write ${path}: `);
});
