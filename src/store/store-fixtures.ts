/**
 * New objects for store tests (and later the manager's): valid, minimal, with overridable fields.
 * They omit ID, Version and timestamps, which the store fills on create.
 */
import type { Config, Network, Node, Secret, Service, Swarm, Task } from "../types/index.ts";
import type { NewObject } from "./store-tx.ts";

/** A replicated service running `image`. */
export function service(name: string, options: { replicas?: number; image?: string; labels?: Record<string, string> } = {}): NewObject<Service> {
  return {
    Spec: {
      Name: name,
      Labels: options.labels ?? {},
      TaskTemplate: { ContainerSpec: { Image: options.image ?? "busybox:latest" }, ForceUpdate: 0 },
      Mode: { Replicated: { Replicas: options.replicas ?? 1 } },
    },
    Endpoint: { Spec: {} },
  };
}

/** A new task of `serviceId` in `slot`, desired running. */
export function task(serviceId: string, slot: number, options: { nodeId?: string; state?: Task["Status"]["State"] } = {}): NewObject<Task> {
  return {
    Labels: {},
    Spec: { ContainerSpec: { Image: "busybox:latest" }, ForceUpdate: 0 },
    ServiceID: serviceId,
    ServiceAnnotations: { Name: `service-${serviceId.slice(0, 6)}`, Labels: {} },
    Slot: slot,
    ...(options.nodeId ? { NodeID: options.nodeId } : {}),
    Status: { Timestamp: "2026-11-25T12:00:00.000Z", State: options.state ?? "new", Message: "created" },
    DesiredState: "running",
  };
}

/** A ready node with `hostname` and `role`. */
export function node(hostname: string, role: Node["Spec"]["Role"] = "worker"): NewObject<Node> {
  return {
    Spec: { Role: role, Availability: "active", Labels: {}, Membership: "accepted" },
    Description: { Hostname: hostname, Platform: { Architecture: "x86_64", OS: "linux" }, Resources: { NanoCPUs: 2e9, MemoryBytes: 2 ** 31 }, Engine: { EngineVersion: "0.1.0" } },
    Status: { State: "ready", Addr: "10.0.0.1" },
  };
}

/** A secret holding `data` (UTF-8). */
export function secret(name: string, data: string, labels: Record<string, string> = {}): NewObject<Secret> {
  return { Spec: { Name: name, Labels: labels, Data: Buffer.from(data).toString("base64") } };
}

/** A config holding `data` (UTF-8). */
export function config(name: string, data: string): NewObject<Config> {
  return { Spec: { Name: name, Labels: {}, Data: Buffer.from(data).toString("base64") } };
}

/** An overlay network. */
export function network(name: string): NewObject<Network> {
  return { Spec: { Name: name, Labels: {}, DriverConfiguration: { Name: "overlay" }, Scope: "swarm" }, DriverState: { Name: "overlay" } };
}

/** The cluster object of a new swarm. */
export function cluster(): NewObject<Swarm> {
  return {
    Spec: {
      Name: "default",
      Labels: {},
      Orchestration: { TaskHistoryRetentionLimit: 5 },
      Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
      Dispatcher: { HeartbeatPeriod: 5e9 },
      CAConfig: { NodeCertExpiry: 7776000e9 },
      TaskDefaults: {},
      EncryptionConfig: { AutoLockManagers: false },
    },
    TLSInfo: { TrustRoot: "", CertIssuerSubject: "", CertIssuerPublicKey: "" },
    RootRotationInProgress: false,
    DataPathPort: 4789,
    DefaultAddrPool: ["10.0.0.0/8"],
    SubnetSize: 24,
    JoinTokens: { Worker: "SWMTKN-1-w", Manager: "SWMTKN-1-m" },
  };
}
