import { afterEach, beforeEach, expect, test } from "bun:test";
import { muxFrame } from "../stream-demux.ts";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
});
afterEach(async () => daemon.close());

const ID = "4f1c0e3b2a9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b";

test("run -d sends the create body docker/cli builds from the same flags, starts and prints the ID", async () => {
  daemon.on("POST", "/containers/create", () => [201, { Id: ID, Warnings: [] }]);
  daemon.on("POST", `/containers/${ID}/wait`, () => ({ StatusCode: 0 }));
  daemon.on("POST", `/containers/${ID}/start`, () => undefined);
  const result = await runShoal(
    daemon.host,
    [
      "run", "-d", "--name", "web", "-p", "8080:80", "-p", "127.0.0.1:5353:53/udp", "-e", "A=1", "-e", "FROM_HOST", "-e", "UNSET",
      "-l", "tier=front", "--restart", "on-failure:3", "-m", "512m", "--cpus", "1.5", "--pids-limit", "100",
      "--ulimit", "nofile=1024:2048", "--sysctl", "net.core.somaxconn=1024", "--health-cmd", "curl -f localhost",
      "--health-interval", "30s", "--health-retries", "3", "--init", "--stop-signal", "SIGQUIT", "--stop-timeout", "20",
      "--log-opt", "max-size=10m", "--log-opt", "max-file=3", "-v", "data:/data", "-v", "/cache", "--tmpfs", "/run:size=64m",
      "--mount", "type=bind,source=/srv,target=/srv,readonly", "--network", "appnet", "--hostname", "h1", "-u", "1000:1000",
      "-w", "/app", "--entrypoint", "/bin/sh", "--read-only", "--cap-add", "NET_ADMIN", "--cap-drop", "ALL",
      "--cpu-shares", "512", "--cpuset-cpus", "0-1", "nginx:1.25", "-c", "echo hi",
    ],
    { env: { FROM_HOST: "value" } },
  );
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toBe(`${ID}\n`);
  expect(daemon.calls()).toEqual([`POST /containers/create?name=web`, `POST /containers/${ID}/wait?condition=next-exit`, `POST /containers/${ID}/start`]);
  const create = daemon.requests.find((request) => request.path === "/containers/create")!;
  expect(create.headers["content-type"]).toBe("application/json");
  // What docker 28 sends for these flags (container.Config + HostConfig + NetworkingConfig marshalled by Go).
  expect(JSON.parse(create.body)).toEqual({
    Hostname: "h1",
    Domainname: "",
    User: "1000:1000",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: { "80/tcp": {}, "53/udp": {} },
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: ["A=1", "FROM_HOST=value", "UNSET"],
    Cmd: ["-c", "echo hi"],
    Healthcheck: { Test: ["CMD-SHELL", "curl -f localhost"], Interval: 30_000_000_000, Retries: 3 },
    Image: "nginx:1.25",
    Volumes: { "/cache": {} },
    WorkingDir: "/app",
    Entrypoint: ["/bin/sh"],
    Labels: { tier: "front" },
    StopSignal: "SIGQUIT",
    StopTimeout: 20,
    HostConfig: {
      Binds: ["data:/data"],
      ContainerIDFile: "",
      LogConfig: { Type: "", Config: { "max-size": "10m", "max-file": "3" } },
      NetworkMode: "appnet",
      PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }], "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }] },
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 },
      AutoRemove: false,
      VolumeDriver: "",
      VolumesFrom: null,
      ConsoleSize: [0, 0],
      CapAdd: ["NET_ADMIN"],
      CapDrop: ["ALL"],
      CgroupnsMode: "",
      Dns: [],
      DnsOptions: [],
      DnsSearch: [],
      ExtraHosts: null,
      GroupAdd: null,
      IpcMode: "",
      Cgroup: "",
      Links: null,
      OomScoreAdj: 0,
      PidMode: "",
      Privileged: false,
      PublishAllPorts: false,
      ReadonlyRootfs: true,
      SecurityOpt: null,
      Tmpfs: { "/run": "size=64m" },
      UTSMode: "",
      UsernsMode: "",
      ShmSize: 0,
      Sysctls: { "net.core.somaxconn": "1024" },
      Isolation: "",
      CpuShares: 512,
      Memory: 536_870_912,
      NanoCpus: 1_500_000_000,
      CgroupParent: "",
      BlkioWeight: 0,
      BlkioWeightDevice: null,
      BlkioDeviceReadBps: null,
      BlkioDeviceWriteBps: null,
      BlkioDeviceReadIOps: null,
      BlkioDeviceWriteIOps: null,
      CpuPeriod: 0,
      CpuQuota: 0,
      CpuRealtimePeriod: 0,
      CpuRealtimeRuntime: 0,
      CpusetCpus: "0-1",
      CpusetMems: "",
      Devices: [],
      DeviceCgroupRules: null,
      DeviceRequests: null,
      MemoryReservation: 0,
      MemorySwap: 0,
      MemorySwappiness: -1,
      OomKillDisable: false,
      PidsLimit: 100,
      Ulimits: [{ Name: "nofile", Hard: 2048, Soft: 1024 }],
      CpuCount: 0,
      CpuPercent: 0,
      IOMaximumIOps: 0,
      IOMaximumBandwidth: 0,
      Mounts: [{ Type: "bind", Source: "/srv", Target: "/srv", ReadOnly: true }],
      MaskedPaths: null,
      ReadonlyPaths: null,
      Init: true,
    },
    NetworkingConfig: { EndpointsConfig: {} },
  });
});

test("a plain create attaches stdout/stderr, uses the default network and 'no' restart policy, and --rm sets AutoRemove", async () => {
  daemon.on("POST", "/containers/create", () => [201, { Id: ID, Warnings: ["your kernel does not support swap"] }]);
  const result = await runShoal(daemon.host, ["create", "--rm", "-it", "busybox"], { terminal: true });
  expect(result.stdout).toBe(`${ID}\n`);
  expect(result.stderr).toBe("WARNING: your kernel does not support swap\n");
  const body = JSON.parse(daemon.requests.find((request) => request.path === "/containers/create")!.body);
  expect(body).toMatchObject({ AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true, OpenStdin: true, StdinOnce: true, Cmd: null, Entrypoint: null, Labels: {}, Env: [] });
  expect(body.ExposedPorts).toBeUndefined();
  expect(body.HostConfig).toMatchObject({ NetworkMode: "default", RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, AutoRemove: true, PortBindings: {}, Binds: null, ConsoleSize: [40, 120] });
  expect(body.HostConfig.Init).toBeUndefined();
  expect(body.StopSignal).toBeUndefined();
});

test("a missing image is pulled (progress on stderr) and the create retried", async () => {
  let creates = 0;
  daemon.on("POST", "/containers/create", (_request, res) => {
    if (creates++ === 0) return jsonError(res, 404, "No such image: busybox:latest");
    return [201, { Id: ID, Warnings: null }];
  });
  daemon.on("POST", "/images/create", () => [200, { status: "Pulling from library/busybox", id: "latest" }]);
  const result = await runShoal(daemon.host, ["create", "busybox"]);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toBe(`${ID}\n`);
  expect(result.stderr).toBe("Unable to find image 'busybox:latest' locally\nlatest: Pulling from library/busybox\n");
  expect(daemon.calls()).toEqual(["POST /containers/create", "POST /images/create?fromImage=busybox&tag=latest", "POST /containers/create"]);
});

test("--pull never does not pull; the daemon's error is reported", async () => {
  daemon.on("POST", "/containers/create", (_request, res) => jsonError(res, 404, "No such image: busybox:latest"));
  const result = await runShoal(daemon.host, ["create", "--pull", "never", "busybox"]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toBe("Error response from daemon: No such image: busybox:latest\n");
  expect(daemon.calls()).toEqual(["POST /containers/create"]);
});

test("run in the foreground attaches, waits, starts, demultiplexes the output and exits with the container's code", async () => {
  const order: string[] = [];
  daemon.on("POST", "/containers/create", () => [201, { Id: ID }]);
  let finish: (code: number) => void = () => {};
  daemon.onHijack("POST", `/containers/${ID}/attach`, (request, socket, sendSwitch) => {
    order.push(`attach ${request.query}`);
    sendSwitch();
    finish = (code) => {
      socket.write(muxFrame(1, "hello\n"));
      socket.write(muxFrame(2, "oops\n"));
      socket.end();
      waitReply(code);
    };
  });
  let waitReply: (code: number) => void = () => {};
  daemon.on("POST", `/containers/${ID}/wait`, (request, res) => {
    order.push(`wait ${request.query}`);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.flushHeaders();
    waitReply = (code) => res.end(JSON.stringify({ StatusCode: code, Error: null }));
  });
  daemon.on("POST", `/containers/${ID}/start`, () => {
    order.push("start");
    setTimeout(() => finish(3), 10);
    return undefined;
  });
  const result = await runShoal(daemon.host, ["run", "busybox", "sh", "-c", "echo hello; echo oops >&2; exit 3"]);
  expect(order).toEqual(["attach stream=1&stdout=1&stderr=1", "wait condition=next-exit", "start"]);
  expect(result.stdout).toBe("hello\n");
  expect(result.stderr).toBe("oops\n");
  expect(result.exitCode).toBe(3);
  const attach = daemon.requests.find((request) => request.upgrade)!;
  expect(attach.headers.connection).toBe("Upgrade");
  expect(attach.headers.upgrade).toBe("tcp");
});

test("run --rm waits for removal; a start failure exits with docker's 125/127 codes", async () => {
  daemon.on("POST", "/containers/create", () => [201, { Id: ID }]);
  daemon.on("POST", `/containers/${ID}/wait`, (_request, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.flushHeaders();
  });
  daemon.on("POST", `/containers/${ID}/start`, (_request, res) =>
    jsonError(res, 400, 'failed to create task: exec: "nope": executable file not found in $PATH'),
  );
  const result = await runShoal(daemon.host, ["run", "-d", "--rm", "busybox", "nope"]);
  expect(daemon.calls()).toContain(`POST /containers/${ID}/wait?condition=removed`);
  expect(result.exitCode).toBe(127);
  expect(result.stderr).toBe(
    `shoal: Error response from daemon: failed to create task: exec: "nope": executable file not found in $PATH\n\nRun 'shoal run --help' for more information\n`,
  );
});

for (const [args, message] of [
  [["-p", "80:abc"], "shoal: invalid containerPort: abc\n\nRun 'shoal run --help' for more information\n"],
  [["-p", "1.2.3:80:80"], "shoal: invalid IP address: 1.2.3\n\nRun 'shoal run --help' for more information\n"],
  [["--memory", "12x"], `invalid argument "12x" for "-m, --memory" flag: invalid size: '12x'\n\nUsage:  shoal run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'shoal run --help' for more information\n`],
  [["--restart", "sometimes"], "shoal: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'\n\nRun 'shoal run --help' for more information\n"],
  [["--restart", "always:3"], "shoal: invalid restart policy: maximum retry count can only be used with 'on-failure'\n\nRun 'shoal run --help' for more information\n"],
  [["--restart", "always", "--rm"], "shoal: conflicting options: cannot specify both --restart and --rm\n\nRun 'shoal run --help' for more information\n"],
  [["--pull", "sometimes"], `shoal: invalid pull option: 'sometimes': must be one of "always", "missing" or "never"\n\nRun 'shoal run --help' for more information\n`],
  [["--no-healthcheck", "--health-cmd", "true"], "shoal: --no-healthcheck conflicts with --health-* options\n\nRun 'shoal run --help' for more information\n"],
  [["--cpus", "lots"], `invalid argument "lots" for "--cpus" flag: failed to parse lots as a rational number\n\nUsage:  shoal run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'shoal run --help' for more information\n`],
] as const) {
  test(`run ${args.join(" ")} is refused with exit code 125 and nothing sent`, async () => {
    const result = await runShoal(daemon.host, ["run", ...args, "busybox"]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toBe(message);
    expect(daemon.calls()).toEqual([]);
  });
}

test("an unknown flag exits with 125 and sends nothing", async () => {
  const result = await runShoal(daemon.host, ["run", "--bogus", "busybox"]);
  expect(result.exitCode).toBe(125);
  expect(result.stderr).toContain("unknown option '--bogus'");
  expect(daemon.requests).toEqual([]);
});

test("flags after the image are the container's command", async () => {
  daemon.on("POST", "/containers/create", () => [201, { Id: ID }]);
  await runShoal(daemon.host, ["create", "busybox", "ls", "-l", "--color"]);
  expect(JSON.parse(daemon.requests.at(-1)!.body).Cmd).toEqual(["ls", "-l", "--color"]);
});
