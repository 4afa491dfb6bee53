import { Hono } from "hono";
import type { ImageRecord } from "../../engine/index.ts";
import type { ApiDeps, ApiEnv } from "../api-env.ts";
import { readJsonObject } from "../json-body.ts";
import { registryAuthHeader, registryHost } from "../registry-auth.ts";
import { ShoalError } from "../../lib/index.ts";

/** `GET /images/json` row, as the docker CLI's `images` reads it. */
function summary(image: ImageRecord) {
  return {
    Id: image.ID,
    ParentId: "",
    RepoTags: image.RepoTags,
    RepoDigests: image.RepoDigests,
    Created: Math.floor(new Date(image.Created).getTime() / 1000),
    Size: image.Size,
    SharedSize: -1,
    Labels: (image.Config.Labels as Record<string, string> | undefined) ?? {},
    Containers: -1,
  };
}

/** `GET /images/{name}/json`, as `docker image inspect` reads it. */
function inspect(image: ImageRecord) {
  return {
    Id: image.ID,
    RepoTags: image.RepoTags,
    RepoDigests: image.RepoDigests,
    Parent: "",
    Comment: "",
    Created: image.Created,
    DockerVersion: "",
    Author: "",
    Config: image.Config,
    Architecture: image.Architecture,
    Os: image.Os,
    Size: image.Size,
    GraphDriver: { Name: "overlayfs", Data: null },
    RootFS: { Type: "layers", Layers: image.Layers },
    Metadata: { LastTagTime: "0001-01-01T00:00:00Z" },
  };
}

async function* bodyChunks(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!body) return;
  yield* body;
}

/** The reference `POST /images/create` names: fromImage plus a tag, or a digest given as the tag. */
export function pullReference(fromImage: string, tag: string | undefined): string {
  if (!tag) return fromImage;
  return tag.startsWith("sha256:") ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

/** Images: pull, load, list, inspect, remove. */
export function imageRoutes(deps: ApiDeps): Hono<ApiEnv> {
  return new Hono<ApiEnv>()
    .post("/images/create", (c) => {
      const fromImage = c.req.query("fromImage");
      if (!fromImage) return c.json({ message: "image pull requires fromImage (importing from a source is not supported)" }, 400);
      const reference = pullReference(fromImage, c.req.query("tag") || undefined);
      const auth = registryAuthHeader(c.req.header("X-Registry-Auth"));
      const encoder = new TextEncoder();
      // Progress streams as docker's JSON messages; a failure after the headers is the last message.
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const send = (message: object) => controller.enqueue(encoder.encode(`${JSON.stringify(message)}\r\n`));
          try {
            await deps.images.pull(reference, (progress) => send(progress), auth);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            send({ errorDetail: { message }, error: message });
          }
          controller.close();
        },
      });
      return c.body(stream, 200, { "Content-Type": "application/json" });
    })
    .post("/auth", async (c) => {
      const body = await readJsonObject(c);
      if (typeof body.username !== "string" || typeof body.password !== "string") {
        throw new ShoalError("invalid_argument", "login needs a username and a password");
      }
      await deps.images.login(registryHost(String(body.serveraddress ?? "")), { username: body.username, password: body.password });
      return c.json({ Status: "Login Succeeded", IdentityToken: "" });
    })
    .post("/images/load", async (c) => {
      const loaded = await deps.images.load(bodyChunks(c.req.raw.body));
      const lines = loaded.flatMap((image) =>
        image.RepoTags.length > 0 ? image.RepoTags.map((tag) => `Loaded image: ${tag}\n`) : [`Loaded image ID: ${image.ID}\n`],
      );
      const body = lines.map((line) => JSON.stringify({ stream: line })).join("\r\n") + "\r\n";
      return c.body(body, 200, { "Content-Type": "application/json" });
    })
    .get("/images/json", (c) => c.json(deps.images.list().map(summary)))
    .get("/images/:name{.+}/json", (c) => c.json(inspect(deps.images.get(c.req.param("name")))))
    .delete("/images/:name{.+}", async (c) => {
      const force = ["1", "true"].includes(c.req.query("force") ?? "");
      return c.json(await deps.images.remove(c.req.param("name"), force));
    });
}
