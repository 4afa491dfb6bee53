import { expect, test } from "bun:test";
import { createdState, type ContainerRecord } from "./container-record.ts";
import { filterContainers } from "./container-filters.ts";

function record(name: string, state: Partial<ContainerRecord["State"]>, labels: Record<string, string> = {}): ContainerRecord {
  return {
    Id: `${name}`.padEnd(64, "0"),
    Name: `/${name}`,
    Created: "2026-11-28T00:00:00Z",
    Image: "sha256:abc",
    Path: "sh",
    Args: [],
    Config: { Image: "busybox", Labels: labels } as ContainerRecord["Config"],
    HostConfig: {} as ContainerRecord["HostConfig"],
    State: { ...createdState(), ...state },
    RestartCount: 0,
    LogPath: "",
    Mounts: [],
    NetworkSettings: { SandboxKey: "", Ports: {}, Networks: {} },
  };
}

const running = record("aweb", { Status: "running", Running: true, StartedAt: "2026-11-28T00:00:01Z" }, { tier: "front" });
const exited = record("bjob", { Status: "exited", StartedAt: "2026-11-28T00:00:01Z", FinishedAt: "2026-11-28T00:00:02Z", ExitCode: 3 });
const created = record("cnew", {});
const all = [running, exited, created];

test("docker ps: running ones by default, all with -a, and a status or exited filter looks at every container", () => {
  expect(filterContainers(all).map((r) => r.Name)).toEqual(["/aweb"]);
  expect(filterContainers(all, { all: true }).length).toBe(3);
  expect(filterContainers(all, { filters: { status: ["exited"] } }).map((r) => r.Name)).toEqual(["/bjob"]);
  expect(filterContainers(all, { filters: { exited: ["3"] } }).map((r) => r.Name)).toEqual(["/bjob"]);
  expect(filterContainers(all, { all: true, filters: { label: ["tier=front"] } }).map((r) => r.Name)).toEqual(["/aweb"]);
  expect(filterContainers(all, { all: true, filters: { name: ["^c"] } }).map((r) => r.Name)).toEqual(["/cnew"]);
  expect(filterContainers(all, { all: true, limit: 2 }).length).toBe(2);
});

test("an unknown status is refused in docker's words", () => {
  expect(() => filterContainers(all, { filters: { status: ["sleeping"] } })).toThrow("invalid filter 'status=sleeping'");
});
