import { expect, test } from "bun:test";
import { TEST_IMAGE, useDockerTestDaemon } from "../support/docker-test-daemon.ts";
const daemon = useDockerTestDaemon();
test("smoke", async () => {
  const d = daemon.current();
  const init = await d.docker(["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  console.log(init.exitCode, init.stderr.slice(0, 300));
  const created = await d.docker(["service", "create", "--detach", "--name", "web", "--replicas", "2", TEST_IMAGE, "sh", "-c", "while true; do busybox sleep 0.1; done"]);
  console.log("create", created.exitCode, created.stdout, created.stderr.slice(0, 300));
  for (let i = 0; i < 40; i++) {
    await Bun.sleep(500);
    const ps = await d.docker(["service", "ps", "--no-trunc", "web"]);
    if (i % 4 === 0) console.log(ps.stdout, ps.stderr);
    if ((ps.stdout.match(/Running/g) ?? []).length >= 2) break;
  }
  console.log((await d.docker(["ps", "-a", "--format", "{{.Names}} {{.Status}}"])).stdout);
  const bad = await d.docker(["service", "create", "--detach", "--name", "bad", "127.0.0.1:1/nosuch:1"]);
  console.log("bad", bad.exitCode, bad.stderr.slice(0, 300));
  await Bun.sleep(3000);
  console.log((await d.docker(["service", "ps", "--no-trunc", "bad"])).stdout);
  console.log((await d.docker(["service", "rm", "web", "bad"])).stdout);
  await Bun.sleep(3000);
  console.log((await d.docker(["ps", "-a", "--format", "{{.Names}} {{.Status}}"])).stdout);
  console.log((await d.docker(["swarm", "leave", "--force"])).stderr);
}, 120_000);
