import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImage, chunksOf } from "../../test/support/image-archives.ts";
import { buildOciSpec, containerArgs, containerEnv, containerRlimits, DEFAULT_CAPABILITIES, parseHardLimits, resolveUser } from "./oci-spec.ts";
import { unpackLayer } from "./layer-unpack.ts";

const accounts = { passwd: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\napp:x:1000:1001::/app:/bin/sh\n", group: "root:x:0:\nstaff:x:50:\n" };

describe("docker's rules", () => {
  test("entrypoint and cmd combine as docker combines them", () => {
    const image = { Entrypoint: ["/entry"], Cmd: ["--default"] };
    expect(containerArgs(image, {})).toEqual(["/entry", "--default"]);
    expect(containerArgs(image, { cmd: ["--mine"] })).toEqual(["/entry", "--mine"]);
    expect(containerArgs(image, { entrypoint: ["/other"] })).toEqual(["/other"]);
    expect(containerArgs({ Cmd: ["sh"] }, {})).toEqual(["sh"]);
    expect(() => containerArgs({}, {})).toThrow("no command specified");
  });

  test("the container's env wins over the image's, and PATH and HOSTNAME are always there", () => {
    expect(containerEnv(["A=1", "B=2"], ["B=3"], "web.1")).toEqual(["A=1", "B=3", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=web.1"]);
    expect(containerEnv(["PATH=/bin"], [], "h")).toContain("PATH=/bin");
  });

  test("users resolve by name or number against the image's accounts", () => {
    expect(resolveUser(undefined, accounts)).toEqual({ uid: 0, gid: 0 });
    expect(resolveUser("app", accounts)).toEqual({ uid: 1000, gid: 1001 });
    expect(resolveUser("1000", accounts)).toEqual({ uid: 1000, gid: 1001 });
    expect(resolveUser("nobody:staff", accounts)).toEqual({ uid: 65534, gid: 50 });
    expect(resolveUser("4242:4343", accounts)).toEqual({ uid: 4242, gid: 4343 });
    expect(() => resolveUser("ghost", accounts)).toThrow("unable to find user ghost");
    expect(() => resolveUser("app:ghosts", accounts)).toThrow("unable to find group ghosts");
  });

  test("rlimits never exceed the host's hard limits", () => {
    const limits = parseHardLimits("Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\nMax processes             unlimited            unlimited            processes\n");
    expect(limits).toEqual({ nofile: 20000 });
    expect(containerRlimits([], limits)).toEqual([{ type: "RLIMIT_NOFILE", soft: 20000, hard: 20000 }]);
    expect(containerRlimits([{ name: "nofile", soft: 512, hard: 1024 }], limits)).toEqual([{ type: "RLIMIT_NOFILE", soft: 512, hard: 1024 }]);
  });

  test("capabilities start from docker's defaults; add and drop adjust them", () => {
    const spec = buildOciSpec({ Cmd: ["sh"] }, { hostname: "h", rootfs: "/r", cgroupsPath: "/x", capAdd: ["NET_ADMIN"], capDrop: ["MKNOD"] }, accounts, {});
    const caps = (spec.process as { capabilities: { bounding: string[] } }).capabilities.bounding;
    expect(caps).toContain("CAP_NET_ADMIN");
    expect(caps).not.toContain("CAP_MKNOD");
    expect(caps.length).toBe(DEFAULT_CAPABILITIES.length);
    const none = buildOciSpec({ Cmd: ["sh"] }, { hostname: "h", rootfs: "/r", cgroupsPath: "/x", capDrop: ["ALL"], capAdd: ["chown"] }, accounts, {});
    expect((none.process as { capabilities: { bounding: string[] } }).capabilities.bounding).toEqual(["CAP_CHOWN"]);
  });
});

const work = mkdtempSync("/tmp/shoal-oci-");
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  // runc removes a container's own cgroup but leaves the parents it created: remove those too.
  Bun.spawnSync(["sh", "-c", "find /sys/fs/cgroup -depth -type d -name 'shoal-test*' -exec rmdir {} + 2>/dev/null; true"]);
});

test("runc runs a container from the spec on the busybox layer: user, env, limits and hostname as asked", async () => {
  const image = await busyboxImage();
  const layer = join(work, "layer");
  await unpackLayer(chunksOf(image.layer), layer);
  const rootfs = join(work, "bundle", "rootfs");
  Bun.spawnSync(["mkdir", "-p", join(work, "bundle")]);
  // cp -a keeps the layer's relative symlinks as they are (node's cpSync would make them absolute).
  expect(Bun.spawnSync(["cp", "-a", layer, rootfs]).exitCode).toBe(0);
  for (const dir of ["proc", "dev", "sys", "etc", "tmp"]) Bun.spawnSync(["mkdir", "-p", join(rootfs, dir)]);
  writeFileSync(join(rootfs, "etc/passwd"), accounts.passwd);
  writeFileSync(join(rootfs, "etc/group"), accounts.group);
  const host = parseHardLimits(readFileSync("/proc/self/limits", "utf8"));
  const id = `shoal-oci-test-${process.pid}`;
  const spec = buildOciSpec(
    { Cmd: ["sh", "-c", "id -u; id -g; echo $GREETING; hostname; ulimit -n; ls /sys/firmware | wc -l"], Env: ["PATH=/bin", "GREETING=image"] },
    { hostname: "web.1", rootfs, cgroupsPath: `/shoal-test/${id}`, user: "app", env: ["GREETING=container"], resources: { memoryBytes: 64 * 1024 * 1024, pidsLimit: 64 } },
    accounts,
    host,
  );
  writeFileSync(join(work, "bundle", "config.json"), JSON.stringify(spec));
  const run = Bun.spawnSync(["runc", "--root", join(work, "runc"), "run", "--bundle", join(work, "bundle"), id], { stdout: "pipe", stderr: "pipe" });
  Bun.spawnSync(["runc", "--root", join(work, "runc"), "delete", "--force", id]);
  expect(run.stderr.toString()).toBe("");
  expect(run.exitCode).toBe(0);
  const [uid, gid, greeting, hostname, nofile, firmware] = run.stdout.toString().trim().split("\n");
  expect([uid, gid, greeting, hostname]).toEqual(["1000", "1001", "container", "web.1"]);
  expect(Number(nofile)).toBe(Math.min(1048576, host.nofile ?? 1048576));
  expect(firmware).toBe("0");
}, 30_000);
