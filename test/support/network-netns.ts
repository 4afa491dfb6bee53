/**
 * Throw-away network namespaces for network tests: /run/netns/shoal-nettest-<pid>-<tag>. A test's
 * bridges, veths and nftables tables live inside them, so removing the namespaces removes
 * everything. Namespaces left by a crashed earlier run (its pid is gone) are removed first.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { NETNS_RUN_DIR, createNetns, deleteNetns } from "../../native/index.ts";

const PREFIX = "shoal-nettest-";

/** The name prefix of every namespace this process makes for tests. */
export function testNetnsPrefix(): string {
  return `${PREFIX}${process.pid}-`;
}

function pidAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** Removes namespaces of earlier test runs whose process is gone. */
export function removeNetworkTestLeftovers(): void {
  if (!existsSync(NETNS_RUN_DIR)) return;
  for (const name of readdirSync(NETNS_RUN_DIR)) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (match && !pidAlive(Number(match[1]))) deleteNetns(`${NETNS_RUN_DIR}/${name}`);
  }
}

/** Every namespace this process made for tests and has not removed yet. */
export function ownTestNetns(): string[] {
  if (!existsSync(NETNS_RUN_DIR)) return [];
  return readdirSync(NETNS_RUN_DIR)
    .filter((name) => name.startsWith(testNetnsPrefix()))
    .map((name) => `${NETNS_RUN_DIR}/${name}`);
}

/** Removes every namespace this process made (tests call it in afterAll/afterEach). */
export function removeOwnTestNetns(): void {
  for (const path of ownTestNetns()) deleteNetns(path);
}

/** Makes a fresh namespace `shoal-nettest-<pid>-<tag>` and returns its path. */
export function createTestNetns(tag: string): string {
  return createNetns(`${testNetnsPrefix()}${tag}`);
}

/** Runs `argv` inside the namespace at `netnsPath` (nsenter: network namespace only). */
export function execIn(netnsPath: string, argv: string[], timeoutMs = 3000): { exitCode: number; stdout: string; stderr: string } {
  const result = Bun.spawnSync(["nsenter", `--net=${netnsPath}`, ...argv], { stdout: "pipe", stderr: "pipe", timeout: timeoutMs });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** True when one ping from the namespace at `netnsPath` to `address` is answered within a second. */
export function canPing(netnsPath: string, address: string): boolean {
  return execIn(netnsPath, ["busybox", "ping", "-c1", "-W1", address]).exitCode === 0;
}
