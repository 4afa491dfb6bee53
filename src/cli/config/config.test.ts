import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

const ID1 = "c6v0bbq4fu3wzyrr8p1nkxmbz";
const ID2 = "d2lpw6c2wq8cmgbz1h1wq0e8r";
const CREATED = "2026-03-01T10:00:00.5Z";

const config = (id: string, name: string, data: string, labels: Record<string, string> = {}) => ({
  ID: id,
  Version: { Index: 7 },
  CreatedAt: CREATED,
  UpdatedAt: CREATED,
  Spec: { Name: name, Labels: labels, Data: Buffer.from(data).toString("base64") },
});

let daemon: FakeDaemon;
let dir: string;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  dir = mkdtempSync(join(tmpdir(), "shoal-config-test-"));
  daemon.on("POST", "/configs/create", () => [201, { ID: ID1 }]);
  daemon.on("GET", "/configs", () => [config(ID2, "nginx.conf", "x"), config(ID1, "app.conf", "port=80\n", { tier: "web" })]);
  daemon.on("GET", "/configs/app.conf", () => config(ID1, "app.conf", "port=80\n", { tier: "web" }));
  daemon.on("DELETE", "/configs/app.conf", () => [204, undefined]);
  daemon.on("DELETE", "/configs/used", (_request, res) => jsonError(res, 400, "rpc error: code = InvalidArgument desc = config 'used' is in use by the following service: web"));
});
afterEach(async () => {
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

const bodies = () => daemon.requests.filter((request) => request.path === "/configs/create").map((request) => JSON.parse(request.body) as Record<string, unknown>);

test("config create reads a file or standard input and prints the ID", async () => {
  const file = join(dir, "app.conf");
  writeFileSync(file, "port=80\n");
  expect(await runShoal(daemon.host, ["config", "create", "-l", "tier=web", "app.conf", file])).toMatchObject({ exitCode: 0, stdout: `${ID1}\n` });
  expect((await runShoal(daemon.host, ["config", "create", "other", "-"], { stdin: ["a=1"] })).exitCode).toBe(0);
  expect(bodies()).toEqual([
    { Name: "app.conf", Labels: { tier: "web" }, Data: Buffer.from("port=80\n").toString("base64") },
    { Name: "other", Labels: {}, Data: Buffer.from("a=1").toString("base64") },
  ]);
});

test("config create refusals carry docker's double wording; the file is required", async () => {
  const missing = join(dir, "nope");
  expect(await runShoal(daemon.host, ["config", "create", "c", missing])).toMatchObject({
    exitCode: 1,
    stderr: `Error reading content from "${missing}": error reading from ${missing}: open ${missing}: no such file or directory\n`,
  });
  expect(await runShoal(daemon.host, ["config", "create", "c", "-"], { stdin: [] })).toMatchObject({ exitCode: 1, stderr: 'Error reading content from "-": error reading from STDIN: data is empty\n' });
  expect((await runShoal(daemon.host, ["config", "create", "c"])).exitCode).toBe(125);
  expect(bodies()).toEqual([]);
});

test("config ls prints docker's table without a driver column", async () => {
  const result = await runShoal(daemon.host, ["config", "ls", "--filter", "name=a"]);
  const [header, first, second] = result.stdout.split("\n");
  expect(header).toMatch(/^ID\s+NAME\s+CREATED\s+UPDATED$/);
  expect(first).toMatch(new RegExp(`^${ID1}   app\\.conf\\s+\\d+ (months|years) ago\\s+\\d+ (months|years) ago$`));
  expect(second).toStartWith(`${ID2}   nginx.conf`);
  expect(daemon.calls()).toEqual([`GET /configs?filters=${encodeURIComponent('{"name":{"a":true}}')}`]);
  expect((await runShoal(daemon.host, ["config", "ls", "-q"])).stdout).toBe(`${ID1}\n${ID2}\n`);
});

test("config inspect shows the data; --pretty prints docker's layout with the data as text", async () => {
  const json = JSON.parse((await runShoal(daemon.host, ["config", "inspect", "app.conf"])).stdout);
  expect(json[0].Spec.Data).toBe(Buffer.from("port=80\n").toString("base64"));
  expect((await runShoal(daemon.host, ["config", "inspect", "--pretty", "app.conf"])).stdout).toBe(
    [
      `ID:\t\t\t${ID1}`,
      "Name:\t\t\tapp.conf",
      "Labels:",
      " - tier=web",
      "Created at:            \t2026-03-01 10:00:00.5 +0000 utc",
      "Updated at:            \t2026-03-01 10:00:00.5 +0000 utc",
      "Data:",
      "port=80",
      "",
      "",
    ].join("\n"),
  );
});

test("config rm prints each name removed and reports refusals", async () => {
  expect(await runShoal(daemon.host, ["config", "rm", "app.conf", "used"])).toMatchObject({
    exitCode: 1,
    stdout: "app.conf\n",
    stderr: "Error response from daemon: rpc error: code = InvalidArgument desc = config 'used' is in use by the following service: web\n",
  });
});
