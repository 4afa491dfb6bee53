import type { Node, Service, Task } from "../../types/index.ts";
import type { CliContext } from "../context.ts";
import { ellipsis, formatList, shortId, type ListLayout } from "../format/list-format.ts";
import { humanDuration } from "../format/units.ts";
import { naturalLess } from "./natural-order.ts";
import { prettyPrint } from "./node-ref.ts";

/** Task list columns and headers (docker's taskContext), shared by `node ps` and `service ps`. */
export const TASK_LAYOUT: ListLayout = {
  defaultTable: "table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}",
  headers: { ID: "ID", Name: "NAME", Image: "IMAGE", Node: "NODE", DesiredState: "DESIRED STATE", CurrentState: "CURRENT STATE", Error: "ERROR", Ports: "PORTS" },
};

/** How `printTasks` shows tasks. */
export interface TaskPrintOptions {
  /** Shorten IDs, images and errors (off with --no-trunc). */
  trunc: boolean;
  /** Print IDs as the daemon gives them instead of service and node names (--no-resolve). */
  noResolve?: boolean;
  quiet?: boolean;
  format?: string;
  now?: Date;
}

/** Names for service and node IDs, looked up once each; a failed lookup leaves the ID (docker's idresolver). */
class IdResolver {
  readonly #cache = new Map<string, string>();
  readonly #ctx: CliContext;
  readonly #off: boolean;

  constructor(ctx: CliContext, off: boolean) {
    this.#ctx = ctx;
    this.#off = off;
  }

  async #resolve(kind: "node" | "service", id: string): Promise<string> {
    if (this.#off || !id) return id;
    const key = `${kind}/${id}`;
    let name = this.#cache.get(key);
    if (name === undefined) {
      try {
        if (kind === "node") {
          const node = await this.#ctx.client.json<Node>("GET", `/nodes/${encodeURIComponent(id)}`);
          name = node.Spec?.Name || node.Description?.Hostname || id;
        } else {
          name = (await this.#ctx.client.json<Service>("GET", `/services/${encodeURIComponent(id)}`)).Spec?.Name ?? "";
        }
      } catch {
        name = id;
      }
      this.#cache.set(key, name);
    }
    return name;
  }

  node(id: string | undefined): Promise<string> {
    return this.#resolve("node", id ?? "");
  }

  service(id: string): Promise<string> {
    return this.#resolve("service", id);
  }
}

/** An image reference without its digest when it has a tag, in its familiar form (`docker.io/library/redis:7@sha256:…` → `redis:7`). */
export function familiarTaggedImage(image: string): string {
  const [named] = image.split("@") as [string];
  const slash = named.lastIndexOf("/");
  const colon = named.lastIndexOf(":");
  if (colon <= slash) return image;
  let name = named;
  if (name.startsWith("docker.io/")) name = name.slice("docker.io/".length);
  if (name.startsWith("library/") && name.indexOf("/", "library/".length) < 0) name = name.slice("library/".length);
  return name;
}

/** Prints tasks as docker's task.Print does: named `service.slot`, sorted, a task's history indented under it. */
export async function printTasks(ctx: CliContext, tasks: Task[], options: TaskPrintOptions): Promise<void> {
  const resolver = new IdResolver(ctx, Boolean(options.noResolve));
  const named: (Task & { Name: string })[] = [];
  for (const task of tasks) {
    const service = await resolver.service(task.ServiceID);
    named.push({ ...task, Name: task.Slot ? `${service}.${task.Slot}` : `${service}.${task.NodeID ?? ""}` });
  }
  const ordered = named
    .map((task, index) => ({ task, index }))
    .sort((a, b) => {
      if (a.task.Name !== b.task.Name) return naturalLess(a.task.Name, b.task.Name) ? -1 : 1;
      const newer = Date.parse(b.task.CreatedAt) - Date.parse(a.task.CreatedAt);
      return newer < 0 ? -1 : newer > 0 ? 1 : a.index - b.index;
    })
    .map(({ task }) => task);
  const format = options.format || (options.quiet ? "{{.ID}}" : "table");
  const isTable = format.trim().startsWith("table");
  const now = (options.now ?? new Date()).getTime();
  const rows = [];
  let previous = "";
  for (const task of ordered) {
    const name = isTable && task.Name === previous ? ` \\_ ${task.Name}` : task.Name;
    previous = task.Name;
    const image = task.Spec?.ContainerSpec?.Image ?? "";
    const error = options.trunc ? ellipsis(task.Status?.Err ?? "", 30) : (task.Status?.Err ?? "");
    rows.push({
      ID: options.trunc ? shortId(task.ID) : task.ID,
      Name: name,
      Image: options.trunc ? familiarTaggedImage(image) : image,
      Node: await resolver.node(task.NodeID),
      DesiredState: prettyPrint(task.DesiredState),
      CurrentState: `${prettyPrint(task.Status?.State)} ${humanDuration(Math.max(0, now - Date.parse(task.Status?.Timestamp ?? "")) * 1e6 || 0).toLowerCase()} ago`,
      Error: error ? `"${error}"` : "",
      Ports: (task.Status?.PortStatus?.Ports ?? []).map((port) => `*:${port.PublishedPort}->${port.TargetPort}/${port.Protocol}`).join(","),
    });
  }
  ctx.out(formatList(format, TASK_LAYOUT, rows));
}
