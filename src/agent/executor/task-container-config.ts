/**
 * How a swarm task becomes a container (moby `daemon/cluster/executor/container/container.go`):
 * its name, its labels and the `POST /containers/create` body the engine takes. Pure.
 */
import { ShoalError } from "../../lib/index.ts";
import type { ContainerSpec, Mount, PortConfig, Task } from "../../types/index.ts";

/** The label every task container carries, with its task's ID (how a restarted executor finds them). */
export const TASK_ID_LABEL = "com.docker.swarm.task.id";

/** A bind mount the executor adds (a secret or config file), read-only. */
export interface FileMount {
  source: string;
  target: string;
}

/** What the executor resolved before creating the container. */
export interface ContainerInputs {
  /** The local image to create from (a familiar name with tag, or the image ID). */
  image: string;
  /** Secret and config files to bind-mount. */
  files: readonly FileMount[];
}

/** The container spec of a task, or an error that says what is missing. */
export function containerSpecOf(task: Task): ContainerSpec {
  const spec = task.Spec.ContainerSpec;
  if (!spec) throw new ShoalError("invalid_argument", "dockerexec: task has no container spec (only container tasks run on this node)");
  if (!spec.Image) throw new ShoalError("invalid_argument", "dockerexec: image required");
  return spec;
}

/** `<service>.<slot>.<task id>`, or `<service>.<node id>.<task id>` for a global service's task. */
export function taskContainerName(task: Task): string {
  const slot = task.Slot ? String(task.Slot) : (task.NodeID ?? "");
  return `${task.ServiceAnnotations.Name}.${slot}.${task.ID}`;
}

/** The spec's labels, then the task's, then the swarm's own (which nobody overrides). */
export function taskContainerLabels(task: Task): Record<string, string> {
  return {
    ...(task.Spec.ContainerSpec?.Labels ?? {}),
    ...task.Labels,
    "com.docker.swarm.task": "",
    [TASK_ID_LABEL]: task.ID,
    "com.docker.swarm.task.name": taskContainerName(task),
    "com.docker.swarm.node.id": task.NodeID ?? "",
    "com.docker.swarm.service.id": task.ServiceID,
    "com.docker.swarm.service.name": task.ServiceAnnotations.Name,
  };
}

/** Docker's Entrypoint/Cmd from SwarmKit's Command/Args: Command replaces the entrypoint, Args the command. */
function invocation(spec: ContainerSpec): { Entrypoint?: string[]; Cmd?: string[] } {
  if (spec.Command && spec.Command.length > 0) return { Entrypoint: spec.Command, Cmd: spec.Args && spec.Args.length > 0 ? spec.Args : undefined };
  if (spec.Args && spec.Args.length > 0) return { Cmd: spec.Args };
  return {};
}

/** A service mount as the engine's `HostConfig.Mounts` takes it. */
function engineMount(mount: Mount): Record<string, unknown> {
  return {
    Type: mount.Type,
    Source: mount.Source || undefined,
    Target: mount.Target,
    ReadOnly: mount.ReadOnly ?? false,
    TmpfsOptions: mount.TmpfsOptions ? { SizeBytes: mount.TmpfsOptions.SizeBytes, Mode: mount.TmpfsOptions.Mode } : undefined,
  };
}

/** SwarmKit's `IP host [aliases…]` host lines as docker's `host:IP` (aliases too, which moby drops). */
function extraHosts(hosts: readonly string[] | undefined): string[] | undefined {
  if (!hosts || hosts.length === 0) return undefined;
  return hosts.flatMap((line) => {
    const [ip, ...names] = line.trim().split(/\s+/);
    return ip ? names.map((name) => `${name}:${ip}`) : [];
  });
}

/**
 * The create body of a task's container: the container spec's fields under docker's names, the
 * task's resource limits, restart policy `no` (the managers restart tasks) and the default bridge
 * network. Stop signal and grace period are applied when the executor stops it.
 */
export function taskContainerRequest(task: Task, inputs: ContainerInputs): { name: string; body: Record<string, unknown> } {
  const spec = containerSpecOf(task);
  const limits = task.Spec.Resources?.Limits;
  const health = spec.Healthcheck;
  const body: Record<string, unknown> = {
    Image: inputs.image,
    Labels: taskContainerLabels(task),
    Env: spec.Env ?? [],
    ...invocation(spec),
    Hostname: spec.Hostname || undefined,
    WorkingDir: spec.Dir || undefined,
    User: spec.User || undefined,
    Tty: spec.TTY ?? false,
    OpenStdin: spec.OpenStdin ?? false,
    StopSignal: spec.StopSignal || undefined,
    Healthcheck: health
      ? { Test: health.Test, Interval: health.Interval, Timeout: health.Timeout, Retries: health.Retries, StartPeriod: health.StartPeriod, StartInterval: health.StartInterval }
      : undefined,
    ExposedPorts: hostModePorts(task).length > 0 ? Object.fromEntries(hostModePorts(task).map((port) => [`${port.TargetPort}/${port.Protocol}`, {}])) : undefined,
    HostConfig: {
      NetworkMode: "bridge",
      PortBindings: portBindings(task),
      RestartPolicy: { Name: "no" },
      Mounts: [...(spec.Mounts ?? []).map(engineMount), ...inputs.files.map((file) => ({ Type: "bind", Source: file.source, Target: file.target, ReadOnly: true }))],
      ReadonlyRootfs: spec.ReadOnly ?? false,
      Init: spec.Init ?? null,
      GroupAdd: spec.Groups && spec.Groups.length > 0 ? spec.Groups : undefined,
      ExtraHosts: extraHosts(spec.Hosts),
      Dns: spec.DNSConfig?.Nameservers,
      DnsSearch: spec.DNSConfig?.Search,
      DnsOptions: spec.DNSConfig?.Options,
      Sysctls: spec.Sysctls,
      CapAdd: spec.CapabilityAdd,
      CapDrop: spec.CapabilityDrop,
      Ulimits: spec.Ulimits,
      OomScoreAdj: spec.OomScoreAdj,
      Memory: limits?.MemoryBytes || undefined,
      NanoCpus: limits?.NanoCPUs || undefined,
      PidsLimit: limits?.Pids || undefined,
      LogConfig: task.Spec.LogDriver ? { Type: task.Spec.LogDriver.Name, Config: task.Spec.LogDriver.Options ?? {} } : undefined,
    },
  };
  return { name: taskContainerName(task), body: JSON.parse(JSON.stringify(body)) as Record<string, unknown> };
}

/** The service ports this task publishes on its own node (`--publish mode=host`). */
function hostModePorts(task: Task): PortConfig[] {
  return (task.Endpoint?.Spec.Ports ?? []).filter((port) => port.PublishMode === "host");
}

/** Host-mode ports as the engine binds them: the published port, or one the host picks when none is given. */
function portBindings(task: Task): Record<string, { HostIp: string; HostPort: string }[]> | undefined {
  const ports = hostModePorts(task);
  if (ports.length === 0) return undefined;
  return Object.fromEntries(ports.map((port) => [`${port.TargetPort}/${port.Protocol}`, [{ HostIp: "", HostPort: port.PublishedPort ? String(port.PublishedPort) : "" }]]));
}
