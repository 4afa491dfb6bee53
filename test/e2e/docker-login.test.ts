/** docker login and a pull from a private registry (a token server that wants a password) through shoal. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { busyboxImage, sha256 } from "../support/image-archives.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

let daemon: TestDaemon;
let server: ReturnType<typeof Bun.serve>;
let address: string;
let image: Awaited<ReturnType<typeof busyboxImage>>;
const ALICE = `Basic ${Buffer.from("alice:s3cret").toString("base64")}`;

beforeAll(async () => {
  daemon = await startTestDaemon();
  image = await busyboxImage();
  const layer = gzipSync(image.layer);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { digest: sha256(image.config), size: image.config.length }, layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256(layer), size: layer.length }] }));
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request: Request): Response {
      const url = new URL(request.url);
      if (url.pathname === "/token") {
        return request.headers.get("Authorization") === ALICE ? Response.json({ token: "alice-token" }) : new Response("bad credentials", { status: 401 });
      }
      if (request.headers.get("Authorization") !== "Bearer alice-token") {
        const scope = url.pathname === "/v2/" ? "" : `,scope="repository:private/busybox:pull"`;
        return new Response("{}", { status: 401, headers: { "WWW-Authenticate": `Bearer realm="http://${address}/token",service="private"${scope}` } });
      }
      if (url.pathname === "/v2/") return Response.json({});
      if (url.pathname === "/v2/private/busybox/manifests/1") return new Response(manifest, { headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" } });
      if (url.pathname === `/v2/private/busybox/blobs/${sha256(image.config)}`) return new Response(image.config);
      if (url.pathname === `/v2/private/busybox/blobs/${sha256(layer)}`) return new Response(layer);
      return new Response("not found", { status: 404 });
    },
  });
  address = `127.0.0.1:${server.port}`;
}, 120_000);
afterAll(async () => {
  server?.stop(true);
  await daemon?.dispose();
});

test("a pull from a private registry without logging in is denied with what to do", async () => {
  const result = await daemon.docker(["pull", `${address}/private/busybox:1`]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain("shoal login");
});

test("docker login with a wrong password is refused", async () => {
  const result = await daemon.docker(["login", "-u", "alice", "--password-stdin", address], { stdin: "wrong\n" });
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain("incorrect username or password");
});

test("docker login succeeds, and docker pull then sends the credentials with the pull", async () => {
  const login = await daemon.docker(["login", "-u", "alice", "--password-stdin", address], { stdin: "s3cret\n" });
  expect(login.stdout).toContain("Login Succeeded");
  expect(login.exitCode).toBe(0);
  const pull = await daemon.docker(["pull", `${address}/private/busybox:1`]);
  expect(pull.exitCode).toBe(0);
  expect(pull.stdout).toContain(`Status: Downloaded newer image for ${address}/private/busybox:1`);
});
