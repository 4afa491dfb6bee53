/**
 * Task statuses seen from a container (SwarmKit `agent/exec/controller.go`, moby's executor
 * errors): the words of each transition, exit errors, and the status of a container found again
 * after a restart. Pure.
 */
import type { ContainerRecord, RegistryCredentials } from "../../engine/index.ts";
import { compareTaskStates, type ContainerStatus, type PortConfig, type Task, type TaskState, type TaskStatus } from "../../types/index.ts";

/** Status.Message of each state the executor reports (SwarmKit's words). */
export const STATE_MESSAGES = {
  accepted: "accepted",
  preparing: "preparing",
  ready: "prepared",
  starting: "starting",
  running: "started",
  complete: "finished",
  shutdown: "shutdown",
} as const satisfies Partial<Record<TaskState, string>>;

/** Why a container failed its health check (moby's `ErrContainerUnhealthy`). */
export const UNHEALTHY = "dockerexec: unhealthy container";
/** A task's container was removed behind the executor's back (moby's `ErrContainerDestroyed`). */
export const DESTROYED = "dockerexec: container destroyed";

/** `task: non-zero exit (N)`, with the cause when known (moby's exitError). */
export function exitError(code: number, cause?: string): string {
  return cause ? `task: non-zero exit (${code}): ${cause}` : `task: non-zero exit (${code})`;
}

/** The container part of a task status. */
export function containerStatus(record: ContainerRecord): ContainerStatus {
  return { ContainerID: record.Id, PID: record.State.Pid, ExitCode: record.State.ExitCode };
}

/**
 * The host-mode ports a started task binds on its node, with the port the host chose where the service
 * gave none (docker's `service ps` PORTS column: `*:8080->80/tcp`); undefined when it binds none.
 */
export function portStatus(task: Task | undefined, record: ContainerRecord | undefined, state: TaskState): { Ports: PortConfig[] } | undefined {
  const ports = (task?.Endpoint?.Spec.Ports ?? []).filter((port) => port.PublishMode === "host");
  if (ports.length === 0 || !record || compareTaskStates(state, "starting") < 0 || compareTaskStates(state, "running") > 0) return undefined;
  return {
    Ports: ports.map((port) => {
      const bound = Number(record.NetworkSettings?.Ports?.[`${port.TargetPort}/${port.Protocol}`]?.[0]?.HostPort ?? 0);
      return { ...port, PublishedPort: port.PublishedPort || bound };
    }),
  };
}

/** Whether the container runs a health check (its own or its image's), which holds the task in `starting` until healthy. */
export function hasHealthcheck(record: ContainerRecord): boolean {
  const test = record.Config.Healthcheck?.Test ?? [];
  return test.length > 0 && test[0] !== "NONE";
}

/** True once the container ran (it may have exited since). */
export function hasStarted(record: ContainerRecord): boolean {
  return record.State.Running || record.State.Status === "exited" || record.State.Status === "dead";
}

/**
 * The status of a task whose container an earlier executor made: ready (never started), starting
 * (waiting to be healthy), running, shutdown (stopped by the executor), complete or failed.
 */
export function adoptedStatus(record: ContainerRecord, timestamp: string): TaskStatus {
  const at = (state: TaskState, message: string, err?: string): TaskStatus => ({ Timestamp: timestamp, State: state, Message: message, ...(err ? { Err: err } : {}), ContainerStatus: containerStatus(record) });
  if (record.State.Running) {
    return hasHealthcheck(record) && record.State.Health?.Status !== "healthy" ? at("starting", STATE_MESSAGES.starting) : at("running", STATE_MESSAGES.running);
  }
  if (!hasStarted(record)) return at("ready", STATE_MESSAGES.ready);
  if (record.StoppedByUser) return at("shutdown", STATE_MESSAGES.shutdown);
  if (record.State.ExitCode === 0) return at("complete", STATE_MESSAGES.complete);
  return at("failed", STATE_MESSAGES.running, exitError(record.State.ExitCode));
}

/**
 * The credentials of a service's `PullOptions.RegistryAuth` (docker's `X-Registry-Auth`: base64url
 * JSON with username and password); undefined when there are none or they cannot be read.
 */
export function decodeRegistryAuth(encoded: string | undefined): RegistryCredentials | undefined {
  if (!encoded) return undefined;
  try {
    const value = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as { username?: unknown; password?: unknown };
    if (typeof value.username !== "string" || value.username === "") return undefined;
    return { username: value.username, password: typeof value.password === "string" ? value.password : "" };
  } catch {
    return undefined;
  }
}
