/**
 * The managers' secret and config API with the real docker CLI and the shoal CLI on one namespace
 * test host in a one-node swarm: create from standard input and from a file, ls with filters,
 * inspect (a secret never shows its data, a config does) and --pretty, docker's error texts
 * (duplicate name, invalid name, missing secret, labels-only updates), a secret in use by a service
 * refused removal until the service is gone, and configs the same way.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerOk as docker, shoalOk } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

let hosts: TestHosts;
let host: TestHost;
let dir: string;
let pwId = "";

const ID = /^[0-9a-z]{25}$/;

/** A command that must fail: its exit code and trimmed stderr. */
async function refused(run: Promise<{ exitCode: number; stderr: string }>): Promise<[number, string]> {
  const result = await run;
  return [result.exitCode, result.stderr.trim()];
}

/** `docker <args>` with `stdin`; its trimmed stdout, or an error with its stderr. */
async function dockerWithInput(args: string[], stdin: string): Promise<string> {
  const result = await host.docker(args, { stdin });
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(" ")} failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout.trim();
}

/** A raw Engine API call on the host's socket. */
function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://shoal/v1.51${path}`, {
    method,
    unix: host.socket,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  } as RequestInit);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "shoal-ssec-"));
  hosts = await createTestHosts({ cluster: "ssec", subnet: 91, count: 1 });
  host = hosts.hosts[0]!;
  await docker(host, ["swarm", "init", "--advertise-addr", host.address]);
}, 300_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!hosts) return;
  await host.docker(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("docker secret on shoal", () => {
  test("create from standard input and from a file prints the new IDs; ls lists them with docker's columns", async () => {
    pwId = await dockerWithInput(["secret", "create", "pw", "-"], "hunter2\n");
    expect(pwId).toMatch(ID);
    const file = join(dir, "db-pass.txt");
    writeFileSync(file, "s3cr3t");
    const dbId = await docker(host, ["secret", "create", "--label", "env=prod", "db-pass", file]);
    expect(dbId).toMatch(ID);
    const [header, ...rows] = (await docker(host, ["secret", "ls"])).split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+DRIVER\s+CREATED\s+UPDATED$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^${dbId}\\s+db-pass\\s+(Less than a second|\\d+ seconds?) ago\\s+`));
    expect(rows[1]).toMatch(new RegExp(`^${pwId}\\s+pw\\s+`));
    expect(await docker(host, ["secret", "ls", "-q", "--filter", "label=env=prod"])).toBe(dbId);
    expect(await docker(host, ["secret", "ls", "--format", "{{.Name}}", "--filter", "name=p"])).toBe("pw");
    expect(await docker(host, ["secret", "ls", "--format", "{{.Name}} {{.Labels}}", "--filter", `id=${dbId.slice(0, 6)}`])).toBe("db-pass env=prod");
  }, 60_000);

  test("inspect never shows a secret's data, in JSON, through a template or pretty", async () => {
    const inspected = JSON.parse(await docker(host, ["secret", "inspect", "pw"])) as { ID: string; Spec: Record<string, unknown> }[];
    expect(inspected).toHaveLength(1);
    expect(inspected[0]!.ID).toBe(pwId);
    expect(inspected[0]!.Spec).toEqual({ Name: "pw", Labels: {} });
    const raw = await (await api("GET", "/secrets/pw")).text();
    expect(raw).not.toContain(Buffer.from("hunter2\n").toString("base64"));
    expect(raw).not.toContain('"Data"');
    expect(await docker(host, ["secret", "inspect", "--format", "{{.Spec.Name}} {{.Spec.Data}}", pwId.slice(0, 8)])).toBe("pw []");
    const pretty = (await docker(host, ["secret", "inspect", "--pretty", "db-pass"])).split("\n");
    expect(pretty.slice(0, 4)).toEqual([`ID:              ${(await docker(host, ["secret", "ls", "-q", "-f", "name=db-pass"]))}`, "Name:              db-pass", "Labels:", " - env=prod"]);
    expect(pretty[5]).toMatch(/^Created at: {8}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 utc$/);
  }, 30_000);

  test("docker's refusals: a taken name, an invalid name, a missing secret, a change of data", async () => {
    expect(await refused(host.docker(["secret", "create", "pw", "-"], { stdin: "again" }))).toEqual([1, "Error response from daemon: rpc error: code = AlreadyExists desc = secret pw already exists"]);
    expect(await refused(host.docker(["secret", "create", "bad/name", "-"], { stdin: "x" }))).toEqual([
      1,
      "Error response from daemon: rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
    ]);
    expect(await refused(host.docker(["secret", "inspect", "ghost"]))).toEqual([1, "Error response from daemon: secret ghost not found"]);
    expect(await refused(host.docker(["secret", "rm", "ghost"]))).toEqual([1, "Error response from daemon: secret ghost not found"]);
    const version = Number(await docker(host, ["secret", "inspect", "--format", "{{.Version.Index}}", "pw"]));
    const changed = await api("POST", `/secrets/pw/update?version=${version}`, { Name: "pw", Data: Buffer.from("other").toString("base64") });
    expect([changed.status, await changed.json()]).toEqual([400, { message: "rpc error: code = InvalidArgument desc = only updates to Labels are allowed" }]);
    const relabelled = await api("POST", `/secrets/pw/update?version=${version}`, { Name: "pw", Labels: { rotated: "no" } });
    expect(relabelled.status).toBe(200);
    expect(await docker(host, ["secret", "inspect", "--format", "{{json .Spec.Labels}}", "pw"])).toBe('{"rotated":"no"}');
  }, 30_000);

  test("a secret in use by a service cannot be removed until the service is gone", async () => {
    await docker(host, ["service", "create", "-d", "--secret", "pw", "--name", "web", "busybox", "sleep", "1000"]);
    expect(await docker(host, ["service", "inspect", "--format", "{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}} {{.SecretID}}{{end}}", "web"])).toBe(`pw ${pwId}`);
    expect(await refused(host.docker(["secret", "rm", "pw"]))).toEqual([1, "Error response from daemon: rpc error: code = InvalidArgument desc = secret 'pw' is in use by the following service: web"]);
    expect(await docker(host, ["secret", "ls", "--format", "{{.Name}}"])).toBe("db-pass\npw");
    await docker(host, ["service", "rm", "web"]);
    expect(await docker(host, ["secret", "rm", "pw", "db-pass"])).toBe("pw\ndb-pass");
    expect(await docker(host, ["secret", "ls", "-q"])).toBe("");
  }, 60_000);
});

describe("shoal secret and config", () => {
  test("shoal secret create, ls, inspect --pretty and rm", async () => {
    const created = await host.shoal(["secret", "create", "-l", "team=ops", "api-key", "-"], { stdin: "k-123" });
    expect(created.exitCode).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(ID);
    expect((await shoalOk(host, ["secret", "ls", "--format", "{{.ID}} {{.Name}} {{.Labels}}"])).trim()).toBe(`${id} api-key team=ops`);
    const pretty = await shoalOk(host, ["secret", "inspect", "--pretty", "api-key"]);
    expect(pretty.split("\n").slice(0, 4)).toEqual([`ID:              ${id}`, "Name:              api-key", "Labels:", " - team=ops"]);
    expect(await shoalOk(host, ["secret", "inspect", "api-key"])).not.toContain('"Data"');
    // What shoal wrote, docker reads.
    expect(await docker(host, ["secret", "inspect", "--format", "{{.Spec.Name}}", id])).toBe("api-key");
    expect(await refused(host.shoal(["secret", "create", "api-key", "-"], { stdin: "again" }))).toEqual([1, "Error response from daemon: rpc error: code = AlreadyExists desc = secret api-key already exists"]);
    expect(await shoalOk(host, ["secret", "rm", "api-key"])).toBe("api-key\n");
  }, 30_000);

  test("configs: created by docker and shoal, shown with their data, held by a service using them", async () => {
    const file = join(dir, "app.conf");
    writeFileSync(file, "port=80\n");
    const appId = await docker(host, ["config", "create", "app.conf", file]);
    expect(appId).toMatch(ID);
    expect((await host.shoal(["config", "create", "--label", "v=1", "nginx.conf", "-"], { stdin: "worker_processes 1;\n" })).exitCode).toBe(0);
    expect(await docker(host, ["config", "ls", "--format", "{{.Name}}"])).toBe("app.conf\nnginx.conf");
    expect(await docker(host, ["config", "inspect", "--format", "{{printf \"%s\" .Spec.Data}}", "app.conf"])).toBe("port=80");
    const pretty = await shoalOk(host, ["config", "inspect", "--pretty", "nginx.conf"]);
    expect(pretty).toEndWith("Data:\nworker_processes 1;\n\n");
    expect(await docker(host, ["config", "inspect", "--pretty", "nginx.conf"])).toEndWith("Data:\nworker_processes 1;");
    expect(await refused(host.docker(["config", "create", "app.conf", file]))).toEqual([1, "Error response from daemon: rpc error: code = AlreadyExists desc = config app.conf already exists"]);
    await docker(host, ["service", "create", "-d", "--config", "source=app.conf,target=/etc/app.conf", "--name", "cfg", "busybox", "sleep", "1000"]);
    expect(await refused(host.docker(["config", "rm", "app.conf"]))).toEqual([1, "Error response from daemon: rpc error: code = InvalidArgument desc = config 'app.conf' is in use by the following service: cfg"]);
    await docker(host, ["service", "rm", "cfg"]);
    expect(await docker(host, ["config", "rm", "app.conf"])).toBe("app.conf");
    expect(await shoalOk(host, ["config", "rm", "nginx.conf"])).toBe("nginx.conf\n");
    expect(await docker(host, ["config", "ls", "-q"])).toBe("");
  }, 60_000);
});
