import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AssignedFile, ContainerSpec } from "../../types/index.ts";
import { planTaskFiles, TaskFiles } from "./task-files.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const spec: ContainerSpec = {
  Image: "busybox:1",
  Secrets: [
    { SecretID: "s1", SecretName: "token", File: { Name: "token", UID: "0", GID: "0", Mode: 0o400 } },
    { SecretID: "s1", SecretName: "token", File: { Name: "/etc/app/token", UID: "", GID: "", Mode: 0o440 } },
  ],
  Configs: [
    { ConfigID: "c1", ConfigName: "app.conf", File: { Name: "/etc/app.conf", UID: "0", GID: "0", Mode: 0o444 } },
    { ConfigID: "c2", ConfigName: "bare", File: { Name: "bare.conf", UID: "0", GID: "0", Mode: 0o444 } },
    { ConfigID: "c3", ConfigName: "credspec", Runtime: {} },
  ],
};

const available = new Map<string, AssignedFile>([
  ["s1", { ID: "s1", kind: "secret", name: "token", data: Buffer.from("s3cr3t") }],
  ["c1", { ID: "c1", kind: "config", name: "app.conf", data: Buffer.from("port=80\n") }],
  ["c2", { ID: "c2", kind: "config", name: "bare", data: Buffer.from("bare\n") }],
]);

describe("planTaskFiles", () => {
  test("secrets go under /run/secrets unless absolute, configs at their target; runtime-only references are skipped", () => {
    expect(planTaskFiles(spec).map((file) => `${file.kind} ${file.id} ${file.target} ${file.uid}:${file.gid} ${file.mode.toString(8)}`)).toEqual([
      "secret s1 /run/secrets/token 0:0 400",
      "secret s1 /etc/app/token 0:0 440",
      "config c1 /etc/app.conf 0:0 444",
      "config c2 /bare.conf 0:0 444",
    ]);
  });

  test("a non-numeric owner is refused, naming the secret", () => {
    expect(() => planTaskFiles({ Image: "x", Secrets: [{ SecretID: "s", SecretName: "db", File: { Name: "db", UID: "root", GID: "0", Mode: 0o400 } }] })).toThrow('the UID of secret db must be a numeric ID, not "root"');
  });
});

describe("TaskFiles", () => {
  const files = () => {
    const root = mkdtempSync("/tmp/shoal-task-files-");
    dirs.push(root);
    return { root, store: new TaskFiles(root, { secretsOnTmpfs: false }) };
  };

  test("writes each file with its mode and returns read-only mounts; remove takes them away", () => {
    const { root, store } = files();
    const mounts = store.write("t1", spec, available);
    expect(mounts.map((mount) => mount.target)).toEqual(["/run/secrets/token", "/etc/app/token", "/etc/app.conf", "/bare.conf"]);
    expect(readFileSync(mounts[0]!.source, "utf8")).toBe("s3cr3t");
    expect(statSync(mounts[0]!.source).mode & 0o777).toBe(0o400);
    expect(statSync(mounts[1]!.source).mode & 0o777).toBe(0o440);
    expect(readFileSync(mounts[2]!.source, "utf8")).toBe("port=80\n");
    expect(mounts[0]!.source.startsWith(join(root, "t1", "secrets"))).toBe(true);
    expect(mounts[2]!.source.startsWith(join(root, "t1", "configs"))).toBe(true);
    store.remove("t1");
    expect(existsSync(join(root, "t1"))).toBe(false);
    store.remove("t1"); // nothing there is fine
  });

  test("a secret the managers did not send is an error that names it, and nothing is written", () => {
    const { root, store } = files();
    expect(() => store.write("t2", spec, new Map([...available].filter(([id]) => id !== "s1")))).toThrow("secret token (s1) was not sent to this node");
    expect(existsSync(join(root, "t2"))).toBe(false);
  });

  test("a task without secrets or configs gets no directory", () => {
    const { root, store } = files();
    expect(store.write("t3", { Image: "x" }, available)).toEqual([]);
    expect(existsSync(join(root, "t3"))).toBe(false);
  });
});
