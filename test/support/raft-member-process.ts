/**
 * One raft member as its own process, for real-process fault tests and benchmarks: LMDB storage,
 * the mutual-TLS transport between members, and a small key-value service for clients.
 * Usage: bun test/support/raft-member-process.ts <config.json>
 *   config: { id, dir, listen: "127.0.0.1:PORT", peers: { id: "host:port" }, key, cert, ca, tickMs? }
 * Prints "ready <id>" once serving.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Packr } from "msgpackr";
import { systemClock } from "../../src/lib/index.ts";
import { LmdbRaftStorage, RaftNode, encodeConfigChange, type LogEntry, type RaftWireMessage, type StateMachine } from "../../src/raft/index.ts";
import { ANY_NODE, ConnectionPool, MANAGERS_ONLY, RpcServer, TransportServer, unaryMethod } from "../../src/transport/index.ts";

/** Raft messages between members. */
export const RaftStep = unaryMethod<RaftWireMessage, null>("Raft.Step", MANAGERS_ONLY);
/** Writes a key through raft (on the leader; others answer with the leader's ID). */
export const KvPut = unaryMethod<{ key: string; value: string }, { index: number }>("Kv.Put", ANY_NODE);
/** Reads a key linearizably. */
export const KvGet = unaryMethod<{ key: string }, string | null>("Kv.Get", ANY_NODE);
/** The member's raft status and process facts. */
export const KvStatus = unaryMethod<null, { id: string; role: string; term: number; leader: string | null; commit: number; applied: number; pid: number; rssBytes: number; rssAnonBytes: number; rssFileBytes: number; keys: number }>("Kv.Status", ANY_NODE);

/** Resident memory split as Linux counts it: anonymous (heaps) and file-backed (the LMDB map, code). */
function residentSplit(): { rssAnonBytes: number; rssFileBytes: number } {
  const status = readFileSync("/proc/self/status", "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rssAnonBytes: kib("RssAnon"), rssFileBytes: kib("RssFile") + kib("RssShmem") };
}

/** The member's configuration file. */
export interface MemberConfig {
  id: string;
  dir: string;
  listen: string;
  peers: Record<string, string>;
  key: string;
  cert: string;
  ca: string;
  tickMs?: number;
}

const packr = new Packr({ useRecords: false });

class KvMachine implements StateMachine {
  readonly data = new Map<string, string>();
  apply(entry: LogEntry): unknown {
    const { key, value } = packr.unpack(entry.data) as { key: string; value: string };
    this.data.set(key, value);
    return entry.index;
  }
  // JSON, not msgpackr: msgpackr packs into one module-wide buffer that grows to the largest value
  // ever packed and never shrinks, so a snapshot-sized pack would stay resident for good.
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }
  restore(data: Uint8Array): void {
    this.data.clear();
    for (const [key, value] of JSON.parse(new TextDecoder().decode(data)) as [string, string][]) this.data.set(key, value);
  }
}

if (import.meta.main) {
  const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as MemberConfig;
  const material = { key: readFileSync(config.key, "utf8"), cert: readFileSync(config.cert, "utf8"), ca: readFileSync(config.ca, "utf8") };
  const storage = await LmdbRaftStorage.open(join(config.dir, "raft"));
  const persisted = await storage.load();
  if (persisted.entries.length === 0 && !persisted.snapshot) {
    const voters = [config.id, ...Object.keys(config.peers)].sort();
    await storage.persist({ entries: [{ index: 1, term: 1, kind: "config", data: encodeConfigChange({ type: "reset", voters }) }], hardState: { term: 1, vote: null, commit: 1 } });
  }
  const memberAt = new Map(Object.entries(config.peers).map(([id, address]) => [address, id]));
  let started: RaftNode | undefined;
  const pool = new ConnectionPool({
    credentials: () => ({ ...material }),
    backoff: { initialMs: 50, maxMs: 500 },
    // A broken connection to the leader (a kill -9 shows at once) starts an election without waiting out the timeout.
    onDisconnect: (address) => started?.leaderConnectionLost(memberAt.get(address) ?? ""),
  });
  const machine = new KvMachine();
  const node = await RaftNode.start({
    id: config.id,
    storage,
    clock: systemClock,
    stateMachine: machine,
    tickMs: config.tickMs ?? 100,
    transport: {
      send(message) {
        const address = config.peers[message.to];
        if (!address) return;
        pool.client(address).then(
          (client) => client.call(RaftStep, message, { timeoutMs: 2000 }).catch(() => {}),
          () => {},
        );
      },
    },
  });
  started = node;
  const rpc = new RpcServer()
    .unary(RaftStep, (message) => (node.step(message), null))
    .unary(KvPut, async ({ key, value }) => ({ index: (await node.propose(packr.pack({ key, value }), { timeoutMs: 5000 })) as number }))
    .unary(KvGet, async ({ key }) => {
      await node.readBarrier({ timeoutMs: 5000 });
      return machine.data.get(key) ?? null;
    })
    .unary(KvStatus, () => ({ ...node.status(), pid: process.pid, rssBytes: process.memoryUsage().rss, ...residentSplit(), keys: machine.data.size }));
  const server = new TransportServer({ material, rpc });
  const [host, port] = config.listen.split(":");
  await server.listen(Number(port), host);
  process.stdout.write(`ready ${config.id}\n`);
  const stop = async () => {
    node.stop();
    await server.close(200);
    pool.close();
    await storage.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  node.onFatal = (error) => {
    process.stderr.write(`fatal: ${String(error)}\n`);
    process.exit(70);
  };
}
