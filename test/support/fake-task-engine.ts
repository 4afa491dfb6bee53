/**
 * A container engine in memory for the task executor's tests: containers are records that move
 * when told to (`exit`, `health`), events go out as the real engine sends them, and every call is
 * written to `calls` as one line, naming the container (`create web.1.t1`, `stop web.1.t1 5 SIGINT`…).
 */
import { createdState, type ContainerRecord, type LogLine, type RegistryCredentials } from "../../src/engine/index.ts";
import { ShoalError } from "../../src/lib/index.ts";
import type { TaskEngine } from "../../src/agent/index.ts";

/** What a test controls of the fake engine. */
export class FakeTaskEngine implements TaskEngine {
  /** Image references present, by the name `create` gets. */
  readonly images = new Set<string>();
  readonly containers = new Map<string, ContainerRecord>();
  readonly calls: string[] = [];
  /** Credentials of each pull, in order. */
  readonly pullAuth: (RegistryCredentials | undefined)[] = [];
  /** What a pull does (default: fails as a registry without the image would). */
  pull: (reference: string) => Promise<void> = async (reference) => {
    throw new ShoalError("not_found", `manifest for ${reference} not found: manifest unknown`);
  };
  /** Makes the next `create` fail with this error. */
  failCreate: Error | undefined;
  /** Makes the next `start` fail with this error. */
  failStart: Error | undefined;
  /** Exit code of a container that `stop` stops (143: it died of SIGTERM). */
  stopExitCode = 143;
  #listeners = new Set<(id: string, action: string) => void>();
  #nextId = 1;
  #nextPid = 4000;

  #emit(id: string, action: string): void {
    for (const listener of this.#listeners) listener(id, action);
  }

  #name(id: string): string {
    return this.containers.get(id)?.Name.slice(1) ?? id;
  }

  #record(id: string): ContainerRecord {
    const record = this.containers.get(id);
    if (!record) throw new ShoalError("not_found", `No such container: ${id}`);
    return record;
  }

  resolveImage(reference: string): string | undefined {
    return this.images.has(reference) ? reference : undefined;
  }

  async pullImage(reference: string, auth: RegistryCredentials | undefined): Promise<void> {
    this.calls.push(`pull ${reference}`);
    this.pullAuth.push(auth);
    await this.pull(reference);
    this.images.add(reference);
  }

  async create(name: string, body: Record<string, unknown>): Promise<ContainerRecord> {
    this.calls.push(`create ${name}`);
    if (this.failCreate) {
      const error = this.failCreate;
      this.failCreate = undefined;
      throw error;
    }
    if ([...this.containers.values()].some((record) => record.Name === `/${name}`)) throw new ShoalError("name_conflict", `Conflict. The container name "/${name}" is already in use`);
    const id = `c${this.#nextId++}`.padEnd(64, "0");
    const record: ContainerRecord = {
      Id: id,
      Name: `/${name}`,
      Created: new Date(0).toISOString(),
      Image: String(body.Image),
      Path: "",
      Args: [],
      Config: { Labels: (body.Labels as Record<string, string>) ?? {}, Healthcheck: body.Healthcheck, Image: String(body.Image) } as ContainerRecord["Config"],
      HostConfig: body.HostConfig as ContainerRecord["HostConfig"],
      State: createdState(),
      RestartCount: 0,
      LogPath: "",
      Mounts: [],
      NetworkSettings: { SandboxKey: "", Ports: {}, Networks: {} },
    };
    this.containers.set(id, record);
    return record;
  }

  async start(id: string): Promise<void> {
    this.calls.push(`start ${this.#name(id)}`);
    if (this.failStart) {
      const error = this.failStart;
      this.failStart = undefined;
      throw error;
    }
    const record = this.#record(id);
    const health = record.Config.Healthcheck?.Test?.length ? { Status: "starting" as const, FailingStreak: 0, Log: [] } : undefined;
    record.State = { ...record.State, Status: "running", Running: true, Pid: this.#nextPid++, StartedAt: new Date(0).toISOString(), Health: health };
    this.#emit(id, "start");
  }

  async stop(id: string, graceSeconds: number | undefined, signal: string | undefined): Promise<void> {
    this.calls.push(`stop ${this.#name(id)} ${graceSeconds ?? "-"} ${signal ?? "-"}`);
    const record = this.#record(id);
    if (!record.State.Running) return;
    record.StoppedByUser = true;
    this.exit(id, this.stopExitCode);
  }

  async remove(id: string): Promise<void> {
    this.calls.push(`remove ${this.#name(id)}`);
    const record = this.#record(id);
    if (record.State.Running) this.exit(id, 137);
    this.containers.delete(id);
    this.#emit(id, "destroy");
  }

  inspect(id: string): ContainerRecord | undefined {
    return this.containers.get(id);
  }

  taskContainers(): ContainerRecord[] {
    return [...this.containers.values()].filter((record) => record.Config.Labels["com.docker.swarm.task.id"] !== undefined).reverse();
  }

  /** Log lines of each container, as a test writes them. */
  readonly logLines = new Map<string, LogLine[]>();

  async *logs(id: string, options: { follow: boolean; tail?: number; signal: AbortSignal }): AsyncIterable<LogLine> {
    this.calls.push(`logs ${this.#name(id)} follow=${options.follow} tail=${options.tail ?? "all"}`);
    const lines = this.logLines.get(id) ?? [];
    yield* options.tail === undefined ? lines : lines.slice(Math.max(0, lines.length - options.tail));
  }

  watch(listener: (id: string, action: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The container's process ends with `code` (a `die` event). */
  exit(id: string, code: number): void {
    const record = this.#record(id);
    record.State = { ...record.State, Status: "exited", Running: false, Pid: 0, ExitCode: code, FinishedAt: new Date(0).toISOString() };
    this.#emit(id, "die");
  }

  /** The container's health check reports `status`. */
  health(id: string, status: "healthy" | "unhealthy"): void {
    const record = this.#record(id);
    record.State = { ...record.State, Health: { Status: status, FailingStreak: 0, Log: [] } };
    this.#emit(id, `health_status: ${status}`);
  }

  /** The one container named `name`. */
  byName(name: string): ContainerRecord {
    const record = [...this.containers.values()].find((candidate) => candidate.Name === `/${name}`);
    if (!record) throw new Error(`no container named ${name}; calls: ${this.calls.join(", ")}`);
    return record;
  }
}
