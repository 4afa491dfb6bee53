/**
 * A transport server for real-network tests: serves Test.Echo over mutual TLS on HOST:PORT
 * (port 0 picks one) with the key, certificate and trust bundle in the files named by
 * SHOAL_TEST_KEY, SHOAL_TEST_CERT and SHOAL_TEST_CA, and prints "listening <port>".
 * Usage: bun test/support/transport-echo-server.ts HOST PORT
 */
import { readFileSync } from "node:fs";
import { ANY_NODE, RpcServer, TransportServer, unaryMethod } from "../../src/transport/index.ts";

/** The method this server answers: it sends the request back. */
export const Echo = unaryMethod<unknown, unknown>("Test.Echo", ANY_NODE);

if (import.meta.main) {
  const [host = "0.0.0.0", port = "0"] = process.argv.slice(2);
  const read = (name: string) => readFileSync(process.env[name] ?? "", "utf8");
  const server = new TransportServer({
    material: { key: read("SHOAL_TEST_KEY"), cert: read("SHOAL_TEST_CERT"), ca: read("SHOAL_TEST_CA") },
    rpc: new RpcServer().unary(Echo, (request) => request),
    limits: { keepaliveIntervalMs: 60_000, keepaliveTimeoutMs: 120_000 },
  });
  const bound = await server.listen(Number(port), host);
  process.stdout.write(`listening ${bound}\n`);
}
