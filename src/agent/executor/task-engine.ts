/**
 * What the task executor needs of this node's container engine, as one small interface: the
 * executor's tests give a fake, the node gives {@link engineForTasks} over its {@link Engine}.
 */
import { ShoalError } from "../../lib/index.ts";
import { parseImageReference, type ContainerRecord, type Engine, type LogLine, type RegistryCredentials } from "../../engine/index.ts";
import { TASK_ID_LABEL } from "./task-container-config.ts";

/** The engine operations a task goes through. */
export interface TaskEngine {
  /** The local image a reference names (tag, digest or ID) in a form `create` takes, or undefined when it is not here. */
  resolveImage(reference: string): string | undefined;
  /** Pulls an image from its registry, with the service's credentials if any. */
  pullImage(reference: string, auth: RegistryCredentials | undefined): Promise<void>;
  /** `POST /containers/create?name=`; the container is created, not started. */
  create(name: string, body: Record<string, unknown>): Promise<ContainerRecord>;
  start(id: string): Promise<void>;
  /** Stops with the signal and grace period given (the container's own when undefined); a stopped container is left alone. */
  stop(id: string, graceSeconds: number | undefined, signal: string | undefined): Promise<void>;
  /** Removes the container, killing it if it still runs. */
  remove(id: string): Promise<void>;
  inspect(id: string): ContainerRecord | undefined;
  /** Every container labelled with a task ID (running or not). */
  taskContainers(): ContainerRecord[];
  /** The container's log lines (the last `tail` of them), then with `follow` new ones until it stops or `signal` aborts. */
  logs(id: string, options: { follow: boolean; tail?: number; signal: AbortSignal }): AsyncIterable<LogLine>;
  /** Calls `listener` with the ID and action of every container event (`die`, `destroy`, `health_status: healthy`…); returns a stop function. */
  watch(listener: (containerId: string, action: string) => void): () => void;
}

/** The repository part of a reference's familiar name (`busybox`, `localhost:5000/app`), as RepoDigests list it. */
function repositoryOf(familiar: string, tag: string | null): string {
  return tag ? familiar.slice(0, familiar.length - tag.length - 1) : familiar;
}

/** A {@link TaskEngine} over the node's engine (its containers must be started). */
export function engineForTasks(engine: Engine): TaskEngine {
  const containers = () => engine.containers;
  return {
    resolveImage(reference) {
      if (/^(sha256:)?[0-9a-f]{12,64}$/.test(reference)) return engine.images.list().some((image) => image.ID.startsWith(reference.startsWith("sha256:") ? reference : `sha256:${reference}`)) ? reference : undefined;
      const parsed = parseImageReference(reference);
      if (parsed.digest) {
        const repository = repositoryOf(parsed.familiar, parsed.tag);
        const image = engine.images.list().find((candidate) => candidate.RepoDigests.includes(`${repository}@${parsed.digest}`));
        if (!image) return undefined;
        return parsed.tag && image.RepoTags.includes(parsed.familiar) ? parsed.familiar : image.ID;
      }
      try {
        engine.images.get(parsed.familiar);
        return parsed.familiar;
      } catch (error) {
        if (error instanceof ShoalError && error.code === "not_found") return undefined;
        throw error;
      }
    },
    async pullImage(reference, auth) {
      await engine.pullImage(reference, () => {}, auth);
    },
    async create(name, body) {
      return (await containers().create(body, name)).record;
    },
    async start(id) {
      await containers().start(id);
    },
    async stop(id, graceSeconds, signal) {
      await containers().stop(id, graceSeconds, signal);
    },
    remove: (id) => containers().remove(id, true),
    inspect(id) {
      try {
        const record = containers().get(id);
        return record.Id === id ? record : undefined;
      } catch (error) {
        if (error instanceof ShoalError && error.code === "not_found") return undefined;
        throw error;
      }
    },
    taskContainers: () =>
      containers()
        .list({ all: true })
        .filter((record) => record.Config.Labels[TASK_ID_LABEL] !== undefined),
    logs: (id, options) => containers().logs(id, options),
    watch: (listener) =>
      engine.events.subscribe((event) => {
        if (event.Type === "container") listener(event.Actor.ID, event.Action);
      }),
  };
}
