/** Makes test hosts, says so, then waits to be killed: the "crashed test run" of test-hosts.test.ts. */
import { createTestHosts } from "./hosts.ts";

const cluster = process.argv[2] ?? "crash";
await createTestHosts({ cluster, subnet: 12, count: 2 });
process.stdout.write("hosts up\n");
setInterval(() => {}, 1 << 30);
