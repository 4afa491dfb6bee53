/**
 * Transport figures, shoal's mux + RPC over mutual TLS beside @grpc/grpc-js with mutual TLS (the
 * transport SwarmKit uses), same certificates, same process, loopback:
 *   unary round trip p50/p99 and calls/s with 1 and 64 concurrent callers (200-byte messages),
 *   server-stream MB/s (64 KiB messages), TLS handshakes/s.
 * Usage: bun scripts/bench/transport.ts [--quick]
 */
import * as grpc from "@grpc/grpc-js";
import { systemClock } from "../../src/lib/index.ts";
import { createNodeKeyAndCsr, createRootCA, issueNodeCertificate, openSigningCa } from "../../src/pki/index.ts";
import { ANY_NODE, RpcClient, RpcServer, TransportServer, dial, streamMethod, unaryMethod } from "../../src/transport/index.ts";
import { quantile, report } from "./stats.ts";

const quick = process.argv.includes("--quick");
const MESSAGE = Buffer.alloc(200, 7);
const BLOB = Buffer.alloc(64 * 1024, 9);

const STREAM_BYTES = (quick ? 64 : 512) * 1024 * 1024;
const SECONDS = quick ? 1 : 3;

// ---- certificates -------------------------------------------------------------------------
const root = await createRootCA({ clock: systemClock });
const signer = await openSigningCa(root);
const { keyPem, csrPem } = await createNodeKeyAndCsr();
const issued = await issueNodeCertificate(signer, csrPem, { nodeId: "benchbenchbenchbenchbench", role: "manager", clusterId: "c1usterc1usterc1usterc1u", clock: systemClock });
const material = { key: keyPem, cert: issued.chainPem, ca: root.certificatePem };

// ---- the two systems behind one interface ---------------------------------------------------
interface System {
  name: string;
  call(): Promise<void>;

  stream(count: number): Promise<number>;
  handshake(): Promise<void>;
  close(): Promise<void>;
}

const Echo = unaryMethod<Uint8Array, Uint8Array>("Bench.Echo", ANY_NODE);
const Blob = streamMethod<{ count: number }, Uint8Array>("Bench.Blob", ANY_NODE);

async function shoalSystem(): Promise<System> {
  const server = new TransportServer({
    material,
    rpc: new RpcServer().unary(Echo, (request) => request).stream(Blob, async function* (request) {
      for (let i = 0; i < request.count; i++) yield BLOB;
    }),
  });
  const port = await server.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const credentials = { key: material.key, cert: material.cert, ca: material.ca };
  const { session } = await dial(address, { credentials });
  const client = new RpcClient(session);
  return {
    name: "shoal",
    call: async () => void (await client.call(Echo, MESSAGE)),

    async stream(count) {
      let bytes = 0;
      for await (const chunk of client.stream(Blob, { count })) bytes += chunk.length;
      return bytes;
    },
    async handshake() {
      const dialed = await dial(address, { credentials });
      dialed.session.close();
    },
    async close() {
      session.close();
      await server.close(100);
    },
  };
}

async function grpcSystem(): Promise<System> {
  const passthrough = (value: Buffer) => value;
  const codec = { requestSerialize: passthrough, requestDeserialize: passthrough, responseSerialize: passthrough, responseDeserialize: passthrough };
  const service = {
    echo: { path: "/bench.Bench/Echo", requestStream: false, responseStream: false, ...codec },
    blob: { path: "/bench.Bench/Blob", requestStream: false, responseStream: true, ...codec },
  } as unknown as grpc.ServiceDefinition;
  const server = new grpc.Server();
  server.addService(service, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request),
    blob: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const count = call.request.readUInt32BE(0);
      let sent = 0;
      const pump = () => {
        while (sent < count) {
          sent++;
          if (!call.write(BLOB)) return void call.once("drain", pump);
        }
        call.end();
      };
      pump();
    },
  });
  const serverCredentials = grpc.ServerCredentials.createSsl(Buffer.from(material.ca), [{ private_key: Buffer.from(material.key), cert_chain: Buffer.from(material.cert) }], true);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", serverCredentials, (error, bound) => (error ? reject(error) : resolve(bound))));
  const Client = grpc.makeGenericClientConstructor(service, "Bench");
  const newClient = () =>
    new Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(material.ca), Buffer.from(material.key), Buffer.from(material.cert)), {
      "grpc.ssl_target_name_override": "swarm-manager",
      "grpc.default_authority": "swarm-manager",
      "grpc.use_local_subchannel_pool": 1,
    }) as unknown as Record<string, (...args: unknown[]) => unknown> & grpc.Client;
  const client = newClient();
  const echo = (target: typeof client) => new Promise<void>((resolve, reject) => target.echo!(MESSAGE, (error: Error | null) => (error ? reject(error) : resolve())));
  await echo(client);
  return {
    name: "grpc-js",
    call: () => echo(client),

    stream(count) {
      return new Promise((resolve, reject) => {
        const request = Buffer.alloc(4);
        request.writeUInt32BE(count, 0);
        const call = client.blob!(request) as grpc.ClientReadableStream<Buffer>;
        let bytes = 0;
        call.on("data", (chunk: Buffer) => (bytes += chunk.length));
        call.on("end", () => resolve(bytes));
        call.on("error", reject);
      });
    },
    async handshake() {
      const fresh = newClient();
      await new Promise<void>((resolve, reject) => fresh.waitForReady(Date.now() + 5000, (error) => (error ? reject(error) : resolve())));
      fresh.close();
    },
    async close() {
      client.close();
      server.forceShutdown();
    },
  };
}

// ---- workloads ----------------------------------------------------------------------------
async function latency(system: System, calls: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 500; i++) await system.call();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await system.call();
    times.push(performance.now() - started);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

async function throughput(system: System, concurrency: number): Promise<number> {
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await system.call();
        done++;
      }
    }),
  );
  return done / SECONDS;
}

async function streamRate(system: System): Promise<number> {
  await system.stream(64);
  const started = performance.now();
  const bytes = await system.stream(STREAM_BYTES / BLOB.length);
  return bytes / 1024 / 1024 / ((performance.now() - started) / 1000);
}

/** p99 of 1,000 small calls made while a 64 MiB server stream crosses the same connection. */
async function fairness(system: System): Promise<{ p99: number; overlapped: number }> {
  let bigDone = false;
  const big = system.stream((64 * 1024 * 1024) / BLOB.length).then(() => (bigDone = true));
  const times: number[] = [];
  let overlapped = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let i = 0; i < 100; i++) {
        const started = performance.now();
        await system.call();
        times.push(performance.now() - started);
        if (!bigDone) overlapped++;
      }
    }),
  );
  await big;
  return { p99: quantile(times, 0.99), overlapped };
}

async function handshakes(system: System): Promise<number> {
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  const started = performance.now();
  while (performance.now() < until) {
    await system.handshake();
    done++;
  }
  return done / ((performance.now() - started) / 1000);
}

const results = new Map<string, Record<string, number>>();
for (const make of [shoalSystem, grpcSystem]) {
  const system = await make();
  const sequential = await latency(system, quick ? 2000 : 10_000);
  results.set(system.name, {
    p50: sequential.p50,
    p99: sequential.p99,
    calls1: await throughput(system, 1),
    calls64: await throughput(system, 64),
    stream: await streamRate(system),
    ...(await fairness(system).then((result) => ({ fairP99: result.p99, fairOverlapped: result.overlapped }))),
    handshakes: await handshakes(system),
  });
  await system.close();
}

const ours = results.get("shoal")!;
const peer = results.get("grpc-js")!;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
console.log("# transport: shoal mux+RPC over mTLS vs @grpc/grpc-js over mTLS (same process, loopback, 200 B messages)");
report("unary round trip p50", `${(ours.p50! * 1000).toFixed(0)} µs`, `grpc-js ${(peer.p50! * 1000).toFixed(0)} µs (shoal/grpc ${ratio(ours.p50!, peer.p50!)}; goal ≤ 0.5×)`);
report("unary round trip p99", `${(ours.p99! * 1000).toFixed(0)} µs`, `grpc-js ${(peer.p99! * 1000).toFixed(0)} µs (${ratio(ours.p99!, peer.p99!)})`);
report("unary calls/s, 1 caller", `${ours.calls1!.toFixed(0)}`, `grpc-js ${peer.calls1!.toFixed(0)} (${ratio(ours.calls1!, peer.calls1!)}; goal ≥ 2×)`);
report("unary calls/s, 64 concurrent callers", `${ours.calls64!.toFixed(0)}`, `grpc-js ${peer.calls64!.toFixed(0)} (${ratio(ours.calls64!, peer.calls64!)}; goal ≥ 2×)`);
report("server stream, 64 KiB messages", `${ours.stream!.toFixed(0)} MB/s`, `grpc-js ${peer.stream!.toFixed(0)} MB/s (${ratio(ours.stream!, peer.stream!)})`);
report("small-call p99 during a 64 MiB stream", `${ours.fairP99!.toFixed(2)} ms`, `grpc-js ${peer.fairP99!.toFixed(2)} ms; small calls finished before the big one: shoal ${ours.fairOverlapped}/1000, grpc-js ${peer.fairOverlapped}/1000`);
report("TLS handshakes/s (new connection each)", `${ours.handshakes!.toFixed(0)}`, `grpc-js ${peer.handshakes!.toFixed(0)} (${ratio(ours.handshakes!, peer.handshakes!)})`);
process.exit(0);
