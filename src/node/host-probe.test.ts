import { expect, test } from "bun:test";
import { parseOsRelease, probeHost, type HostReader } from "./host-probe.ts";

function fakeHost(files: Record<string, string>, commands: Record<string, string>, writable = true): HostReader {
  return {
    readText: (path) => files[path] ?? null,
    exists: (path) => path in files,
    which: (command) => commands[command] ?? null,
    writableDir: () => writable,
  };
}

const complete = {
  "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\n',
  "/proc/filesystems": "nodev\tcgroup\nnodev\toverlay\n",
  "/sys/module/vxlan": "",
  "/sys/module/bridge": "",
  "/proc/self/ns/net": "",
  "/proc/sys/net/ipv4/ip_forward": "1\n",
  "/usr/lib/x86_64-linux-gnu/libnftables.so.1": "",
};

test("a complete host gives no warnings and its facts", () => {
  const facts = probeHost(fakeHost(complete, { runc: "/usr/sbin/runc", conmon: "/usr/bin/conmon" }));
  expect(facts.warnings).toEqual([]);
  expect(facts.operatingSystem).toBe("Debian GNU/Linux 12 (bookworm)");
  expect(facts.osVersion).toBe("12");
  expect(facts.cgroupVersion).toBe("1");
  expect(facts.runtimes).toEqual({ runc: "/usr/sbin/runc" });
});

test("each missing piece is named with what it breaks and how to get it", () => {
  const facts = probeHost(fakeHost({ "/proc/sys/net/ipv4/ip_forward": "0" }, {}, false));
  const text = facts.warnings.join("\n");
  for (const expected of ["runc not found", "conmon not found", "libnftables1", "modprobe overlay", "modprobe vxlan", "modprobe bridge", "network namespaces", "IPv4 forwarding is disabled", "TMPDIR"]) {
    expect(text).toContain(expected);
  }
});

test("the unified cgroup hierarchy is version 2", () => {
  const facts = probeHost(fakeHost({ ...complete, "/sys/fs/cgroup/cgroup.controllers": "cpu memory" }, {}));
  expect(facts.cgroupVersion).toBe("2");
});

test("os-release without a pretty name falls back to Linux", () => {
  expect(parseOsRelease(null)).toEqual({ name: "Linux", version: "" });
});
