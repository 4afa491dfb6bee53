import type { CliContext } from "../context.ts";
import { humanDuration, humanSize } from "../format/units.ts";
import { table } from "../format/table.ts";

/** A row of `GET /images/json`. */
interface ImageSummary {
  Id: string;
  RepoTags: string[];
  Created: number;
  Size: number;
}

/** `shoal images`: the local images, one row per tag, as `docker images` shows them. */
export async function imagesCommand(ctx: CliContext, options: { quiet?: boolean }): Promise<void> {
  const images = await ctx.client.json<ImageSummary[]>("GET", "/images/json");
  if (options.quiet) {
    ctx.out([...new Set(images.map((image) => image.Id.replace(/^sha256:/, "").slice(0, 12)))].map((id) => `${id}\n`).join(""));
    return;
  }
  const rows: string[][] = [];
  for (const image of images) {
    const id = image.Id.replace(/^sha256:/, "").slice(0, 12);
    const created = `${humanDuration((Date.now() / 1000 - image.Created) * 1e9)} ago`;
    const tags = image.RepoTags.length > 0 ? image.RepoTags : ["<none>:<none>"];
    for (const tag of tags) {
      const split = tag.lastIndexOf(":");
      rows.push([tag.slice(0, split), tag.slice(split + 1), id, created, humanSize(image.Size)]);
    }
  }
  ctx.out(table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows));
}
