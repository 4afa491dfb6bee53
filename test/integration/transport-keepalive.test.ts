/**
 * Keepalive over a real network: a peer in another namespace whose traffic nftables drops in
 * silence (no RST, no ICMP) is detected within the configured bound.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../../src/lib/index.ts";
import { RpcClient, dial } from "../../src/transport/index.ts";
import { createTestHosts, type TestHosts } from "../support/hosts.ts";
import { REPO_ROOT } from "../support/binary.ts";
import { runOk } from "../support/run.ts";
import { testCa, testNode } from "../support/pki-fixtures.ts";
import { Echo } from "../support/transport-echo-server.ts";

let hosts: TestHosts | undefined;
let server: Bun.Subprocess<"ignore", "pipe", "inherit"> | undefined;
const dir = mkdtempSync("/tmp/shoal-keepalive-");
afterAll(async () => {
  server?.kill("SIGKILL");
  await server?.exited;
  await hosts?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

test("a silently blackholed peer is declared dead within keepalive timeout plus one interval", async () => {
  hosts = await createTestHosts({ cluster: "kalive", subnet: 21, count: 1, daemons: false });
  const host = hosts.hosts[0]!;
  const ca = await testCa(systemClock);
  const serverNode = await testNode(ca.signer, systemClock, { role: "manager" });
  const clientNode = await testNode(ca.signer, systemClock, { nodeId: "c1ientc1ientc1ientc1ient1", role: "worker" });
  writeFileSync(join(dir, "key"), serverNode.keyPem);
  writeFileSync(join(dir, "cert"), serverNode.certificatePem);
  writeFileSync(join(dir, "ca"), ca.root.certificatePem);

  server = Bun.spawn(["nsenter", `--net=/run/netns/${host.netns}`, "--", process.execPath, join(REPO_ROOT, "test/support/transport-echo-server.ts"), host.address, "0"], {
    env: { ...process.env, SHOAL_TEST_KEY: join(dir, "key"), SHOAL_TEST_CERT: join(dir, "cert"), SHOAL_TEST_CA: join(dir, "ca") },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = server.stdout.getReader();
  let said = "";
  while (!/listening \d+\n/.test(said)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`echo server ended: ${said}`);
    said += new TextDecoder().decode(value);
  }
  const port = Number(/listening (\d+)/.exec(said)![1]);

  const limits = { keepaliveIntervalMs: 500, keepaliveTimeoutMs: 1500 };
  const { session } = await dial(`${host.address}:${port}`, {
    credentials: { key: clientNode.keyPem, cert: clientNode.certificatePem, ca: ca.root.certificatePem },
    limits,
  });
  const client = new RpcClient(session);
  expect(await client.call(Echo, { hello: "over the bridge" })).toEqual({ hello: "over the bridge" });

  // Drop every packet in and out of the server's namespace, without telling anyone.
  await runOk(["nsenter", `--net=/run/netns/${host.netns}`, "--", "nft", "-f", "-"], {
    stdin: "table inet blackhole {\n chain in {\n  type filter hook input priority -300; policy drop;\n }\n chain out {\n  type filter hook output priority -300; policy drop;\n }\n}\n",
  });
  const cutAt = performance.now();
  const error = await session.closed;
  const detectedAfter = performance.now() - cutAt;

  expect(error?.code).toBe("unavailable");
  expect(error?.message).toContain("did not answer keepalive pings");
  // The guarantee is timeout + one interval; a loaded CI machine may run timers up to a second late.
  const SCHEDULING_SLACK_MS = 1000;
  expect(detectedAfter).toBeLessThanOrEqual(limits.keepaliveTimeoutMs + limits.keepaliveIntervalMs + SCHEDULING_SLACK_MS);
  expect(detectedAfter).toBeGreaterThanOrEqual(limits.keepaliveTimeoutMs - limits.keepaliveIntervalMs);
}, 60_000);
