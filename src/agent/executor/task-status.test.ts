import { describe, expect, test } from "bun:test";
import { createdState, type ContainerRecord } from "../../engine/index.ts";
import type { Task } from "../../types/index.ts";
import { adoptedStatus, decodeRegistryAuth, exitError, portStatus } from "./task-status.ts";

function record(state: Partial<ContainerRecord["State"]>, extra: Partial<ContainerRecord> = {}, healthcheck = false): ContainerRecord {
  return {
    Id: "c".repeat(64),
    Name: "/web.1.t1",
    Created: "2026-11-25T12:00:00.000Z",
    Image: "sha256:x",
    Path: "sh",
    Args: [],
    Config: { Labels: {}, Healthcheck: healthcheck ? { Test: ["CMD", "true"] } : undefined } as ContainerRecord["Config"],
    HostConfig: {} as ContainerRecord["HostConfig"],
    State: { ...createdState(), ...state },
    RestartCount: 0,
    LogPath: "",
    Mounts: [],
    NetworkSettings: { SandboxKey: "", Ports: {}, Networks: {} },
    ...extra,
  };
}

const at = "2026-11-25T12:00:00.000Z";
const started = { StartedAt: "2026-11-25T11:00:00.000Z" };

describe("adoptedStatus: a task's state from the container an earlier executor left", () => {
  test("created only: ready", () => {
    expect(adoptedStatus(record({}), at)).toMatchObject({ State: "ready", Message: "prepared", ContainerStatus: { ContainerID: "c".repeat(64), PID: 0, ExitCode: 0 } });
  });
  test("running: running; with a health check not yet healthy: still starting", () => {
    expect(adoptedStatus(record({ ...started, Status: "running", Running: true, Pid: 42 }), at)).toMatchObject({ State: "running", Message: "started", ContainerStatus: { PID: 42 } });
    expect(adoptedStatus(record({ ...started, Status: "running", Running: true, Health: { Status: "starting", FailingStreak: 0, Log: [] } }, {}, true), at).State).toBe("starting");
    expect(adoptedStatus(record({ ...started, Status: "running", Running: true, Health: { Status: "healthy", FailingStreak: 0, Log: [] } }, {}, true), at).State).toBe("running");
  });
  test("exited: complete on 0, failed with the exit error otherwise, shutdown when the executor stopped it", () => {
    expect(adoptedStatus(record({ ...started, Status: "exited", ExitCode: 0 }), at)).toMatchObject({ State: "complete", Message: "finished" });
    expect(adoptedStatus(record({ ...started, Status: "exited", ExitCode: 2 }), at)).toMatchObject({ State: "failed", Err: "task: non-zero exit (2)", ContainerStatus: { ExitCode: 2 } });
    expect(adoptedStatus(record({ ...started, Status: "exited", ExitCode: 143 }, { StoppedByUser: true }), at)).toMatchObject({ State: "shutdown" });
  });
});

test("exit errors read as moby's", () => {
  expect(exitError(1)).toBe("task: non-zero exit (1)");
  expect(exitError(137, "dockerexec: unhealthy container")).toBe("task: non-zero exit (137): dockerexec: unhealthy container");
});

test("registry auth from the spec: base64url JSON credentials; empty or unreadable is none", () => {
  const encoded = Buffer.from(JSON.stringify({ username: "bob", password: "pw", serveraddress: "r.example" })).toString("base64url");
  expect(decodeRegistryAuth(encoded)).toEqual({ username: "bob", password: "pw" });
  expect(decodeRegistryAuth(undefined)).toBeUndefined();
  expect(decodeRegistryAuth("e30")).toBeUndefined();
  expect(decodeRegistryAuth("not json at all")).toBeUndefined();
});

test("a started task reports the host-mode ports it binds, with the port the host chose where none was given", () => {
  const task = {
    Endpoint: {
      Spec: {
        Ports: [
          { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "host" },
          { Protocol: "udp", TargetPort: 53, PublishMode: "host" },
          { Protocol: "tcp", TargetPort: 443, PublishedPort: 30443, PublishMode: "ingress" },
        ],
      },
    },
  } as unknown as Task;
  const record = { NetworkSettings: { Ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }], "53/udp": [{ HostIp: "0.0.0.0", HostPort: "32768" }] } } } as unknown as ContainerRecord;
  expect(portStatus(task, record, "running")?.Ports.map((port) => `${port.PublishedPort}->${port.TargetPort}/${port.Protocol}`)).toEqual(["8080->80/tcp", "32768->53/udp"]);
  expect(portStatus(task, record, "preparing")).toBeUndefined();
  expect(portStatus(task, record, "complete")).toBeUndefined();
  expect(portStatus({} as Task, record, "running")).toBeUndefined();
});
