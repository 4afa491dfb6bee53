import { randomBytes } from "node:crypto";
import { ShoalError } from "../lib/index.ts";
import type { ContainerRuntime } from "./container-runtime.ts";
import type { ContainerStore } from "./container-store.ts";
import type { ExecSession } from "./exec-session.ts";

/** `POST /containers/{id}/exec` body, checked. */
export interface ExecConfig {
  Cmd: string[];
  Env: string[];
  User: string;
  WorkingDir: string;
  Tty: boolean;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Privileged: boolean;
  ConsoleSize?: [number, number];
}

/** What `GET /exec/{id}/json` shows. */
export interface ExecRecord {
  ID: string;
  ContainerID: string;
  Config: ExecConfig;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  session: ExecSession | null;
  /** When it ended (execs are forgotten a while after). */
  endedAt?: number;
}

const KEEP_ENDED_MS = 5 * 60_000;

/** Exec instances: created, started once, inspected for their exit code; kept in memory as dockerd does. */
export class Execs {
  readonly #records = new Map<string, ExecRecord>();
  readonly #store: ContainerStore;
  readonly #runtime: ContainerRuntime;

  constructor(store: ContainerStore, runtime: ContainerRuntime) {
    this.#store = store;
    this.#runtime = runtime;
  }

  /** `POST /containers/{id}/exec`. */
  create(reference: string, body: Record<string, unknown>): ExecRecord {
    const container = this.#store.get(reference);
    if (!container.State.Running) throw new ShoalError("name_conflict", `container ${container.Id} is not running`);
    const cmd = body.Cmd;
    if (!Array.isArray(cmd) || cmd.length === 0 || cmd.some((arg) => typeof arg !== "string")) throw new ShoalError("invalid_argument", "No exec command specified");
    const strings = (value: unknown, field: string): string[] => {
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw new ShoalError("invalid_argument", `${field} must be a list of strings`);
      return value as string[];
    };
    const size = body.ConsoleSize;
    const config: ExecConfig = {
      Cmd: cmd as string[],
      Env: strings(body.Env, "Env"),
      User: typeof body.User === "string" ? body.User : "",
      WorkingDir: typeof body.WorkingDir === "string" ? body.WorkingDir : "",
      Tty: body.Tty === true,
      AttachStdin: body.AttachStdin === true,
      AttachStdout: body.AttachStdout !== false,
      AttachStderr: body.AttachStderr !== false,
      Privileged: body.Privileged === true,
      ConsoleSize: Array.isArray(size) && size.length === 2 && size.every((n) => Number.isInteger(n) && n > 0) ? [size[0], size[1]] : undefined,
    };
    if (config.WorkingDir && !config.WorkingDir.startsWith("/")) throw new ShoalError("invalid_argument", `the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
    this.#forgetOld();
    const record: ExecRecord = { ID: randomBytes(32).toString("hex"), ContainerID: container.Id, Config: config, Running: false, ExitCode: null, Pid: 0, session: null };
    this.#records.set(record.ID, record);
    return record;
  }

  get(id: string): ExecRecord {
    const record = this.#records.get(id);
    if (!record) throw new ShoalError("not_found", `No such exec instance: ${id}`);
    return record;
  }

  /** `POST /exec/{id}/start`: runs the process; the exit code lands in the record. */
  start(id: string): ExecSession {
    const record = this.get(id);
    if (record.session) throw new ShoalError("name_conflict", `Error: Exec command ${id} has already run`);
    const container = this.#store.get(record.ContainerID);
    if (!container.State.Running) throw new ShoalError("name_conflict", `container ${container.Id} is not running`);
    const config = record.Config;
    const session = this.#runtime.exec(container.Id, {
      args: config.Cmd,
      env: config.Env,
      user: config.User || container.Config.User || undefined,
      workingDir: config.WorkingDir || container.Config.WorkingDir || undefined,
      tty: config.Tty,
      stdin: config.AttachStdin,
      privileged: config.Privileged,
      consoleSize: config.ConsoleSize ? { rows: config.ConsoleSize[0], cols: config.ConsoleSize[1] } : undefined,
    });
    record.session = session;
    record.Running = true;
    record.Pid = session.pid ?? 0;
    void session.exited.then(
      (code) => Object.assign(record, { Running: false, ExitCode: code, endedAt: Date.now() }),
      () => Object.assign(record, { Running: false, ExitCode: 126, endedAt: Date.now() }),
    );
    return session;
  }

  /** `POST /exec/{id}/resize`. */
  resize(id: string, rows: number, cols: number): void {
    const record = this.get(id);
    if (!record.session) throw new ShoalError("name_conflict", `exec ${id} is not running`);
    if (record.Config.Tty) record.session.resize(rows, cols);
  }

  #forgetOld(): void {
    const now = Date.now();
    for (const [id, record] of this.#records) if (record.endedAt !== undefined && now - record.endedAt > KEEP_ENDED_MS) this.#records.delete(id);
  }
}
