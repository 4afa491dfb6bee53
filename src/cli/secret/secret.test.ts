import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

const ID1 = "q6v0bbq4fu3wzyrr8p1nkxmbz";
const ID2 = "x2lpw6c2wq8cmgbz1h1wq0e8r";
const ID10 = "7k0j5ypfuo4c2fqbu9d6ty2qa";
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const secret = (id: string, name: string, extra: { labels?: Record<string, string>; driver?: string; created?: string } = {}) => ({
  ID: id,
  Version: { Index: 12 },
  CreatedAt: extra.created ?? minutesAgo(5.5),
  UpdatedAt: extra.created ?? minutesAgo(5.5),
  Spec: { Name: name, Labels: extra.labels ?? {}, ...(extra.driver ? { Driver: { Name: extra.driver } } : {}) },
});

let daemon: FakeDaemon;
let dir: string;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  dir = mkdtempSync(join(tmpdir(), "shoal-secret-test-"));
  daemon.on("POST", "/secrets/create", () => [201, { ID: ID1 }]);
});
afterEach(async () => {
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

const bodies = () => daemon.requests.filter((request) => request.path === "/secrets/create").map((request) => JSON.parse(request.body) as Record<string, unknown>);

describe("secret create", () => {
  test("reads standard input for -, sends the data base64 with the labels and prints the ID", async () => {
    const result = await runShoal(daemon.host, ["secret", "create", "-l", "env=prod", "--label", "team", "pw", "-"], { stdin: ["hunter", "2\n"] });
    expect(result).toMatchObject({ exitCode: 0, stdout: `${ID1}\n`, stderr: "" });
    expect(bodies()).toEqual([{ Name: "pw", Labels: { env: "prod", team: "" }, Data: Buffer.from("hunter2\n").toString("base64") }]);
  });

  test("reads a file; --template-driver and --driver are passed on for the managers to judge", async () => {
    const file = join(dir, "pw.txt");
    writeFileSync(file, Buffer.from([0, 1, 2, 255]));
    expect((await runShoal(daemon.host, ["secret", "create", "--template-driver", "golang", "pw", file])).exitCode).toBe(0);
    daemon.on("POST", "/secrets/create", (_request, res) => jsonError(res, 400, 'rpc error: code = InvalidArgument desc = secret driver "vault" is not supported'));
    const driven = await runShoal(daemon.host, ["secret", "create", "-d", "vault", "pw2"]);
    expect(driven).toMatchObject({ exitCode: 1, stderr: 'Error response from daemon: rpc error: code = InvalidArgument desc = secret driver "vault" is not supported\n' });
    expect(bodies()).toEqual([
      { Name: "pw", Labels: {}, Data: "AAEC/w==", Templating: { Name: "golang" } },
      { Name: "pw2", Labels: {}, Driver: { Name: "vault" } },
    ]);
  });

  test("docker's refusals before any request: no file, empty input, a missing file, a driver with data, a bad label", async () => {
    const refused = async (args: string[], stdin?: string[]) => {
      const result = await runShoal(daemon.host, ["secret", "create", ...args], stdin ? { stdin } : {});
      return [result.exitCode, result.stderr];
    };
    expect(await refused(["pw"])).toEqual([1, "secret file is required\n"]);
    expect(await refused(["pw", "-"], [])).toEqual([1, "error reading from STDIN: data is empty\n"]);
    expect(await refused(["pw", join(dir, "nope")])).toEqual([1, `error reading from ${join(dir, "nope")}: open ${join(dir, "nope")}: no such file or directory\n`]);
    writeFileSync(join(dir, "empty"), "");
    expect(await refused(["pw", join(dir, "empty")])).toEqual([1, `error reading from ${join(dir, "empty")}: data is empty\n`]);
    expect(await refused(["-d", "vault", "pw", "-"])).toEqual([1, "When using secret driver secret data must be empty\n"]);
    expect(await refused(["-l", "=x", "pw", "-"], ["a"])).toEqual([125, `invalid argument "=x" for "-l, --label" flag: invalid label '=x': empty name\nSee 'shoal secret create --help'.\n`]);
    expect(await refused(["-l", "a b=c", "pw", "-"], ["a"])).toEqual([125, `invalid argument "a b=c" for "-l, --label" flag: label 'a b' contains whitespaces\nSee 'shoal secret create --help'.\n`]);
    expect(bodies()).toEqual([]);
  });

  test("the daemon's refusal is printed as docker prints it", async () => {
    daemon.on("POST", "/secrets/create", (_request, res) => jsonError(res, 409, "rpc error: code = AlreadyExists desc = secret pw already exists"));
    const result = await runShoal(daemon.host, ["secret", "create", "pw", "-"], { stdin: ["x"] });
    expect([result.exitCode, result.stderr]).toEqual([1, "Error response from daemon: rpc error: code = AlreadyExists desc = secret pw already exists\n"]);
  });
});

describe("secret ls", () => {
  beforeEach(() => {
    daemon.on("GET", "/secrets", () => [
      secret(ID10, "pw10", { labels: { b: "2", a: "1" } }),
      secret(ID1, "pw1", { driver: "vault" }),
      secret(ID2, "pw2", { created: minutesAgo(70) }),
    ]);
  });

  test("prints docker's table sorted by name in natural order", async () => {
    const result = await runShoal(daemon.host, ["secret", "ls", "-f", "label=a"]);
    expect(result.stdout).toBe(
      [
        "ID                          NAME      DRIVER    CREATED             UPDATED",
        `${ID1}   pw1       vault     5 minutes ago       5 minutes ago`,
        `${ID2}   pw2                 About an hour ago   About an hour ago`,
        `${ID10}   pw10                5 minutes ago       5 minutes ago`,
        "",
      ].join("\n"),
    );
    expect(daemon.calls()).toEqual([`GET /secrets?filters=${encodeURIComponent('{"label":{"a":true}}')}`]);
  });

  test("-q prints IDs; --format names fields, labels and one label", async () => {
    expect((await runShoal(daemon.host, ["secret", "ls", "-q"])).stdout).toBe(`${ID1}\n${ID2}\n${ID10}\n`);
    expect((await runShoal(daemon.host, ["secret", "ls", "--format", '{{.Name}}|{{.Labels}}|{{.Label "b"}}|{{.Driver}}'])).stdout).toBe("pw1|||vault\npw2|||\npw10|a=1,b=2|2|\n");
    const json = (await runShoal(daemon.host, ["secret", "ls", "--format", "json"])).stdout.split("\n")[0]!;
    expect(Object.keys(JSON.parse(json))).toEqual(["CreatedAt", "Driver", "ID", "Labels", "Name", "UpdatedAt"]);
  });
});

describe("secret inspect and rm", () => {
  const created = "2026-03-01T10:00:00.1234567Z";
  beforeEach(() => {
    daemon.on("GET", "/secrets/pw", () => secret(ID1, "pw", { labels: { env: "prod", team: "" }, created }));
    daemon.on("GET", "/secrets/ghost", (_request, res) => jsonError(res, 404, "secret ghost not found"));
    daemon.on("DELETE", "/secrets/pw", () => [204, undefined]);
    daemon.on("DELETE", "/secrets/used", (_request, res) => jsonError(res, 400, "rpc error: code = InvalidArgument desc = secret 'used' is in use by the following service: web"));
  });

  test("inspect prints the JSON array docker prints; --format renders each; a missing one fails after the others", async () => {
    const result = await runShoal(daemon.host, ["secret", "inspect", "pw"]);
    expect(JSON.parse(result.stdout)).toEqual([secret(ID1, "pw", { labels: { env: "prod", team: "" }, created })]);
    expect(result.stdout).toStartWith('[\n    {\n        "ID": ');
    expect((await runShoal(daemon.host, ["secret", "inspect", "-f", "{{.Spec.Name}} {{.Version.Index}}", "pw"])).stdout).toBe("pw 12\n");
    const partial = await runShoal(daemon.host, ["secret", "inspect", "-f", "{{.ID}}", "pw", "ghost"]);
    expect(partial).toMatchObject({ exitCode: 1, stdout: `${ID1}\n`, stderr: "Error response from daemon: secret ghost not found\n" });
  });

  test("inspect --pretty prints docker's layout, its odd spacing included", async () => {
    const result = await runShoal(daemon.host, ["secret", "inspect", "--pretty", "pw"]);
    expect(result.stdout).toBe(
      [
        `ID:              ${ID1}`,
        "Name:              pw",
        "Labels:",
        " - env=prod",
        " - team",
        "Driver:            ",
        "Created at:        2026-03-01 10:00:00.1234567 +0000 utc",
        "Updated at:        2026-03-01 10:00:00.1234567 +0000 utc",
        "",
      ].join("\n"),
    );
    expect(await runShoal(daemon.host, ["secret", "inspect", "--pretty", "pw", "ghost"])).toMatchObject({ exitCode: 1, stdout: "", stderr: "Error response from daemon: secret ghost not found\n" });
    expect((await runShoal(daemon.host, ["secret", "inspect", "-f", "pretty.x", "pw"])).stderr).toBe("cannot supply extra formatting options to the pretty template\n");
  });

  test("rm prints each name removed and reports the refusals at the end", async () => {
    const result = await runShoal(daemon.host, ["secret", "rm", "used", "pw", "ghost"]);
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: "pw\n",
      stderr: "Error response from daemon: rpc error: code = InvalidArgument desc = secret 'used' is in use by the following service: web\nError response from daemon: page not found: DELETE /secrets/ghost\n",
    });
  });
});
