/**
 * A raft cluster of real member processes (test/support/raft-member-process.ts) with real LMDB
 * and mutual TLS, and a client that finds the leader. Members may run inside network namespaces.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ShoalError, systemClock } from "../../src/lib/index.ts";
import { ConnectionPool, type CallOptions } from "../../src/transport/index.ts";
import { REPO_ROOT } from "./binary.ts";
import { testCa, testNode } from "./pki-fixtures.ts";
import { KvGet, KvPut, KvStatus, type MemberConfig } from "./raft-member-process.ts";

/** Where one member runs. */
export interface MemberPlacement {
  id: string;
  /** Address it listens on (host:port). */
  address: string;
  /** Network namespace to run it in (null: this one). */
  netns?: string | null;
}

/** One member process. */
export interface MemberProcess {
  id: string;
  address: string;
  configPath: string;
  netns: string | null;
  process: Bun.Subprocess<"ignore", "pipe", "pipe"> | null;
}

/** A free TCP port on loopback. */
export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

export class RaftProcessCluster {
  readonly members = new Map<string, MemberProcess>();
  readonly #pool: ConnectionPool;
  #leaderHint: string | undefined;

  private constructor(pool: ConnectionPool) {
    this.#pool = pool;
  }

  /** Writes certificates and configs, starts every member and waits until each is serving. */
  static async start(baseDir: string, placements: MemberPlacement[], tickMs = 100): Promise<RaftProcessCluster> {
    mkdirSync(baseDir, { recursive: true });
    const ca = await testCa(systemClock);
    writeFileSync(join(baseDir, "ca.pem"), ca.root.certificatePem);
    const client = await testNode(ca.signer, systemClock, { nodeId: "c1ientc1ientc1ientc1ient0", role: "manager" });
    const cluster = new RaftProcessCluster(new ConnectionPool({ credentials: () => ({ key: client.keyPem, cert: client.certificatePem, ca: ca.root.certificatePem }), backoff: { initialMs: 20, maxMs: 200 } }));
    for (const placement of placements) {
      const dir = join(baseDir, placement.id);
      mkdirSync(dir, { recursive: true });
      const node = await testNode(ca.signer, systemClock, { nodeId: placement.id.padEnd(25, "0"), role: "manager" });
      writeFileSync(join(dir, "key.pem"), node.keyPem);
      writeFileSync(join(dir, "cert.pem"), node.certificatePem);
      const peers = Object.fromEntries(placements.filter((other) => other.id !== placement.id).map((other) => [other.id, other.address]));
      const config: MemberConfig = { id: placement.id, dir, listen: placement.address, peers, key: join(dir, "key.pem"), cert: join(dir, "cert.pem"), ca: join(baseDir, "ca.pem"), tickMs };
      const configPath = join(dir, "config.json");
      writeFileSync(configPath, JSON.stringify(config));
      cluster.members.set(placement.id, { id: placement.id, address: placement.address, configPath, netns: placement.netns ?? null, process: null });
    }
    await Promise.all([...cluster.members.keys()].map((id) => cluster.startMember(id)));
    return cluster;
  }

  /** Starts (or restarts) a member and waits for it to serve. */
  async startMember(id: string): Promise<void> {
    const member = this.members.get(id)!;
    const prefix = member.netns ? ["nsenter", `--net=/run/netns/${member.netns}`, "--"] : [];
    const child = Bun.spawn([...prefix, process.execPath, join(REPO_ROOT, "test/support/raft-member-process.ts"), member.configPath], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    member.process = child;
    const reader = child.stdout.getReader();
    let said = "";
    while (!said.includes(`ready ${id}`)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`member ${id} exited before it was ready: ${said}${await new Response(child.stderr).text()}`);
      said += new TextDecoder().decode(value);
    }
    reader.releaseLock();
  }

  /** Kills a member's process (SIGKILL by default) and waits for it to die. */
  async kill(id: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const member = this.members.get(id)!;
    member.process?.kill(signal);
    await member.process?.exited;
    member.process = null;
  }

  /** Status of one member, or null when it does not answer. */
  async status(id: string): Promise<Awaited<ReturnType<typeof this.statusOrThrow>> | null> {
    return this.statusOrThrow(id).catch(() => null);
  }

  async statusOrThrow(id: string) {
    const client = await this.#pool.client(this.members.get(id)!.address);
    return client.call(KvStatus, null, { timeoutMs: 1000 });
  }

  /** The member that leads now, waiting up to `timeoutMs` for one. */
  async waitForLeader(timeoutMs = 10_000, exclude: string[] = []): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const id of this.members.keys()) {
        if (exclude.includes(id) || !this.members.get(id)!.process) continue;
        const status = await this.status(id);
        if (status?.role === "leader") return id;
      }
      await Bun.sleep(20);
    }
    throw new Error(`no leader within ${timeoutMs} ms`);
  }

  /** Writes through whichever member leads, following redirects; fails after `timeoutMs`. */
  async put(key: string, value: string, options: CallOptions & { timeoutMs?: number } = {}): Promise<number> {
    return (await this.#call((client, remaining) => client.call(KvPut, { key, value }, { timeoutMs: remaining }), options.timeoutMs ?? 10_000)).index;
  }

  /** Reads linearizably through any member. */
  async get(key: string, timeoutMs = 10_000): Promise<string | null> {
    return this.#call((client, remaining) => client.call(KvGet, { key }, { timeoutMs: remaining }), timeoutMs);
  }

  async #call<T>(attempt: (client: Awaited<ReturnType<ConnectionPool["client"]>>, remaining: number) => Promise<T>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown = new ShoalError("unavailable", "no member answered");
    let turn = 0;
    while (Date.now() < deadline) {
      const live = [...this.members.values()].filter((member) => member.process);
      const target = (this.#leaderHint && this.members.get(this.#leaderHint)?.process ? this.members.get(this.#leaderHint)! : live[turn++ % Math.max(1, live.length)])!;
      try {
        return await attempt(await this.#pool.client(target.address), Math.max(100, Math.min(3000, deadline - Date.now())));
      } catch (error) {
        lastError = error;
        const hint = /the leader is (\S+?)\)/.exec(String(error))?.[1];
        this.#leaderHint = hint && this.members.has(hint) && hint !== target.id ? hint : undefined;
        if (!hint) await Bun.sleep(20);
      }
    }
    throw lastError;
  }

  /** Stops every member (SIGKILL) and closes client connections. */
  async stop(): Promise<void> {
    this.#pool.close();
    await Promise.all([...this.members.keys()].map((id) => this.kill(id)));
  }
}
