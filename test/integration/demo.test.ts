/**
 * The README's main command: `make demo` (scripts/demo.ts) brings up a swarm of three namespace
 * hosts and `make demo-down` removes it. Run here under its own names, beside any real demo.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { shoalBinary } from "../support/binary.ts";
import { run } from "../support/run.ts";

const env = { SHOAL_DEMO_CLUSTER: "demot", SHOAL_DEMO_BASE: "/tmp/shoal-demo-test", SHOAL_DEMO_SUBNET: "41" };
const demo = (action: string) => run(["node_modules/.bin/bun", "scripts/demo.ts", action], { env: { ...process.env, ...env } as Record<string, string>, timeoutMs: 180_000 });

afterAll(async () => {
  await demo("down");
}, 120_000);

test("the demo makes a swarm of three ready nodes, and demo-down removes every trace", async () => {
  await shoalBinary();
  const up = await demo("up");
  expect(up.exitCode).toBe(0);
  expect(up.stdout).toContain("Swarm initialized: current node (");
  expect(up.stdout.match(/This node joined a swarm as a worker\./g)?.length).toBe(2);
  const table = up.stdout.slice(up.stdout.indexOf("$ shoal node ls"));
  for (const line of ["manager1   Ready     Active         Leader", "worker1    Ready     Active", "worker2    Ready     Active"]) expect(table).toContain(line);
  const down = await demo("down");
  expect(down.exitCode).toBe(0);
  expect(existsSync("/tmp/shoal-demo-test")).toBe(false);
  const namespaces = Bun.spawnSync(["ip", "netns", "list"]).stdout.toString();
  expect(namespaces).not.toContain("shoal-demot-");
}, 240_000);
