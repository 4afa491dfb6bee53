import { describe, expect, test } from "bun:test";
import { parseCreateRequest } from "../../engine/index.ts";
import type { ContainerSpec, Task } from "../../types/index.ts";
import { taskContainerLabels, taskContainerName, taskContainerRequest } from "./task-container-config.ts";

function task(spec: Partial<ContainerSpec> = {}, overrides: Partial<Task> = {}): Task {
  return {
    ID: "t0k3n1d",
    Version: { Index: 3 },
    CreatedAt: "2026-11-25T12:00:00.000Z",
    UpdatedAt: "2026-11-25T12:00:00.000Z",
    Labels: {},
    Spec: { ContainerSpec: { Image: "busybox:1", ...spec }, ForceUpdate: 0 },
    ServiceID: "s3rv1c3",
    ServiceAnnotations: { Name: "web", Labels: {} },
    Slot: 2,
    NodeID: "n0d3",
    Status: { Timestamp: "2026-11-25T12:00:00.000Z", State: "assigned", Message: "scheduler assigned task to node" },
    DesiredState: "running",
    ...overrides,
  };
}

const noFiles = { image: "busybox:1", files: [] };

describe("container name and labels", () => {
  test("a replicated task's container is <service>.<slot>.<task id>, a global one's <service>.<node id>.<task id>", () => {
    expect(taskContainerName(task())).toBe("web.2.t0k3n1d");
    expect(taskContainerName(task({}, { Slot: undefined }))).toBe("web.n0d3.t0k3n1d");
  });

  test("the swarm's labels override the task's, which override the container spec's", () => {
    const labels = taskContainerLabels(task({ Labels: { app: "spec", tier: "front", "com.docker.swarm.task.id": "forged" } }, { Labels: { app: "task" } }));
    expect(labels).toEqual({
      app: "task",
      tier: "front",
      "com.docker.swarm.task": "",
      "com.docker.swarm.task.id": "t0k3n1d",
      "com.docker.swarm.task.name": "web.2.t0k3n1d",
      "com.docker.swarm.node.id": "n0d3",
      "com.docker.swarm.service.id": "s3rv1c3",
      "com.docker.swarm.service.name": "web",
    });
  });
});

describe("command and arguments, as moby maps them", () => {
  const call = (spec: Partial<ContainerSpec>) => {
    const { body } = taskContainerRequest(task(spec), noFiles);
    return { Entrypoint: body.Entrypoint, Cmd: body.Cmd };
  };
  test("Command replaces the image's entrypoint and Args become the command", () => {
    expect(call({ Command: ["/bin/sh", "-c"], Args: ["echo hi"] })).toEqual({ Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo hi"] });
  });
  test("Command alone drops the image's command too", () => {
    expect(call({ Command: ["sleep", "5"] })).toEqual({ Entrypoint: ["sleep", "5"], Cmd: undefined });
  });
  test("Args alone keep the image's entrypoint", () => {
    expect(call({ Args: ["sleep", "5"] })).toEqual({ Entrypoint: undefined, Cmd: ["sleep", "5"] });
  });
  test("neither: the image's own", () => {
    expect(call({})).toEqual({ Entrypoint: undefined, Cmd: undefined });
  });
});

describe("the create body", () => {
  test("carries every container spec field under docker's name", () => {
    const spec = task({
      Env: ["A=1"],
      Dir: "/srv",
      User: "100:101",
      Hostname: "web-host",
      TTY: true,
      OpenStdin: true,
      StopSignal: "SIGINT",
      Healthcheck: { Test: ["CMD-SHELL", "true"], Interval: 1e9, Timeout: 2e9, Retries: 3, StartPeriod: 5e8 },
    });
    const { name, body } = taskContainerRequest(spec, { image: "busybox:1", files: [] });
    expect(name).toBe("web.2.t0k3n1d");
    expect(body).toMatchObject({
      Image: "busybox:1",
      Env: ["A=1"],
      WorkingDir: "/srv",
      User: "100:101",
      Hostname: "web-host",
      Tty: true,
      OpenStdin: true,
      StopSignal: "SIGINT",
      Healthcheck: { Test: ["CMD-SHELL", "true"], Interval: 1e9, Timeout: 2e9, Retries: 3, StartPeriod: 5e8 },
    });
  });

  test("host config: mounts with the secret and config files read-only, limits, privileges, hosts, DNS; restart policy no, default bridge", () => {
    const withSpec = task({
      Groups: ["audio"],
      ReadOnly: true,
      Init: true,
      Mounts: [
        { Type: "volume", Source: "data", Target: "/data" },
        { Type: "bind", Source: "/etc/hostname", Target: "/host-name", ReadOnly: true },
        { Type: "tmpfs", Target: "/scratch", TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o700 } },
      ],
      Hosts: ["10.0.0.5 db database", "bad-line"],
      DNSConfig: { Nameservers: ["1.1.1.1"], Search: ["example.org"], Options: ["ndots:2"] },
      Sysctls: { "net.ipv4.ip_forward": "1" },
      CapabilityAdd: ["CAP_NET_ADMIN"],
      CapabilityDrop: ["CAP_MKNOD"],
      Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }],
      OomScoreAdj: 500,
    });
    withSpec.Spec = { ...withSpec.Spec, Resources: { Limits: { NanoCPUs: 5e8, MemoryBytes: 64 << 20, Pids: 100 }, Reservations: { MemoryBytes: 32 << 20 } } };
    const { body } = taskContainerRequest(withSpec, { image: "busybox:1", files: [{ source: "/run/x/secrets/0-abc", target: "/run/secrets/token" }] });
    expect(body.HostConfig).toEqual({
      NetworkMode: "bridge",
      RestartPolicy: { Name: "no" },
      Mounts: [
        { Type: "volume", Source: "data", Target: "/data", ReadOnly: false },
        { Type: "bind", Source: "/etc/hostname", Target: "/host-name", ReadOnly: true },
        { Type: "tmpfs", Target: "/scratch", ReadOnly: false, TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o700 } },
        { Type: "bind", Source: "/run/x/secrets/0-abc", Target: "/run/secrets/token", ReadOnly: true },
      ],
      ReadonlyRootfs: true,
      Init: true,
      GroupAdd: ["audio"],
      ExtraHosts: ["db:10.0.0.5", "database:10.0.0.5"],
      Dns: ["1.1.1.1"],
      DnsSearch: ["example.org"],
      DnsOptions: ["ndots:2"],
      Sysctls: { "net.ipv4.ip_forward": "1" },
      CapAdd: ["CAP_NET_ADMIN"],
      CapDrop: ["CAP_MKNOD"],
      Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }],
      OomScoreAdj: 500,
      Memory: 64 << 20,
      NanoCpus: 5e8,
      PidsLimit: 100,
    });
  });

  test("the engine accepts the body as a create request and keeps what it honours", () => {
    const spec = task({
      Command: ["sleep"],
      Args: ["60"],
      Env: ["A=1"],
      ReadOnly: true,
      Init: true,
      Mounts: [{ Type: "tmpfs", Target: "/scratch" }],
      Healthcheck: { Test: ["CMD", "true"], Interval: 1e9 },
      CapabilityAdd: ["CAP_NET_ADMIN"],
      Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 2048 }],
      Hosts: ["10.0.0.5 db"],
      StopSignal: "SIGINT",
    });
    spec.Spec = { ...spec.Spec, Resources: { Limits: { MemoryBytes: 64 << 20, Pids: 50 } } };
    const request = parseCreateRequest(taskContainerRequest(spec, { image: "busybox:1", files: [{ source: "/etc/hostname", target: "/run/secrets/x" }] }).body);
    expect(request.config.Entrypoint).toEqual(["sleep"]);
    expect(request.config.Cmd).toEqual(["60"]);
    expect(request.config.Labels["com.docker.swarm.task.id"]).toBe("t0k3n1d");
    expect(request.config.StopSignal).toBe("SIGINT");
    expect(request.hostConfig.RestartPolicy).toEqual({ Name: "no", MaximumRetryCount: 0 });
    expect(request.hostConfig.NetworkMode).toBe("bridge");
    expect(request.hostConfig.Memory).toBe(64 << 20);
    expect(request.hostConfig.PidsLimit).toBe(50);
    expect(request.hostConfig.ReadonlyRootfs).toBe(true);
    expect(request.hostConfig.Init).toBe(true);
    expect(request.hostConfig.ExtraHosts).toEqual(["db:10.0.0.5"]);
    expect(request.hostConfig.Mounts?.map((mount) => `${mount.Type} ${mount.Target} ${mount.ReadOnly}`)).toEqual(["tmpfs /scratch false", "bind /run/secrets/x true"]);
  });

  test("host-mode published ports bind on the node (a given port, or one the host picks); ingress ones do not touch the container", () => {
    const endpoint = {
      Spec: {
        Ports: [
          { Protocol: "tcp" as const, TargetPort: 80, PublishedPort: 8080, PublishMode: "host" as const },
          { Protocol: "udp" as const, TargetPort: 53, PublishMode: "host" as const },
          { Protocol: "tcp" as const, TargetPort: 443, PublishedPort: 30443, PublishMode: "ingress" as const },
        ],
      },
    };
    const body = taskContainerRequest(task({}, { Endpoint: endpoint }), noFiles).body as { ExposedPorts: unknown; HostConfig: { PortBindings: unknown } };
    expect(body.ExposedPorts).toEqual({ "80/tcp": {}, "53/udp": {} });
    expect(body.HostConfig.PortBindings).toEqual({ "80/tcp": [{ HostIp: "", HostPort: "8080" }], "53/udp": [{ HostIp: "", HostPort: "" }] });
    const plain = taskContainerRequest(task(), noFiles).body as { ExposedPorts?: unknown; HostConfig: { PortBindings?: unknown } };
    expect([plain.ExposedPorts, plain.HostConfig.PortBindings]).toEqual([undefined, undefined]);
  });

  test("a task without a container spec or image is refused in moby's words", () => {
    expect(() => taskContainerRequest(task({}, { Spec: { ForceUpdate: 0 } }), noFiles)).toThrow("dockerexec: task has no container spec");
    expect(() => taskContainerRequest(task({ Image: "" }), noFiles)).toThrow("dockerexec: image required");
  });
});
