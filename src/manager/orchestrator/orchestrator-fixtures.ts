/**
 * A simulated swarm for orchestrator tests (and later the simulator): a real ClusterStore without a
 * proposer, a fake scheduler that assigns new tasks to nodes, fake agents that take assigned tasks
 * to running (or shut them down) as a node would, and a fake updater that records what it was asked.
 */
import { silentLogger, type Clock } from "../../lib/index.ts";
import { ClusterStore, type NewObject } from "../../store/index.ts";
import { compareTaskStates, type Node, type Service, type ServiceSpec, type Swarm, type Task, type TaskState } from "../../types/index.ts";
import { defaultSwarmSpec } from "../cluster-spec.ts";
import { placementFilter } from "./node-eligibility.ts";
import { Orchestration } from "./orchestration.ts";
import type { ServiceUpdater, Slot } from "./service-updater.ts";

/** A {@link ServiceUpdater} that only records calls. */
export class FakeUpdater implements ServiceUpdater {
  /** Every `update` call: the service's ID and version, and the task IDs of each slot. */
  readonly updates: { serviceId: string; version: number; slots: string[][] }[] = [];
  readonly cancelled: string[] = [];
  stopped = false;

  update(service: Service, slots: readonly Slot[]): void {
    this.updates.push({ serviceId: service.ID, version: service.Version.Index, slots: slots.map((slot) => slot.map((task) => task.ID)) });
  }

  cancel(serviceId: string): void {
    this.cancelled.push(serviceId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}

/** Waits until no loop has anything left to do: the store stopped changing over several turns of the event loop. */
export async function settle(store: ClusterStore): Promise<void> {
  let last = store.index;
  let quiet = 0;
  for (let turn = 0; turn < 10_000 && quiet < 3; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (store.index === last) quiet++;
    else {
      quiet = 0;
      last = store.index;
    }
  }
}

/** Node options of {@link SimulatedCluster.addNode}. */
export interface SimulatedNodeOptions {
  labels?: Record<string, string>;
  availability?: Node["Spec"]["Availability"];
  state?: Node["Status"]["State"];
  role?: Node["Spec"]["Role"];
  platform?: { OS: string; Architecture: string };
  resources?: { NanoCPUs: number; MemoryBytes: number };
}

/** A store with nodes whose scheduler and agents are simulated, step by step. */
export class SimulatedCluster {
  readonly store: ClusterStore;
  readonly clock: Clock;
  clusterId = "";

  constructor(clock: Clock) {
    this.clock = clock;
    this.store = new ClusterStore({ clock });
  }

  /** Creates the cluster object (history limit `historyLimit`). */
  async init(historyLimit = 5): Promise<void> {
    const spec = { ...defaultSwarmSpec(), Orchestration: { TaskHistoryRetentionLimit: historyLimit } };
    const made: NewObject<Swarm> = {
      Spec: spec,
      TLSInfo: { TrustRoot: "", CertIssuerSubject: "", CertIssuerPublicKey: "" },
      RootRotationInProgress: false,
      DataPathPort: 4789,
      DefaultAddrPool: ["10.0.0.0/8"],
      SubnetSize: 24,
      JoinTokens: { Worker: "SWMTKN-1-w", Manager: "SWMTKN-1-m" },
    };
    this.clusterId = (await this.store.update((tx) => tx.create("cluster", made))).ID;
  }

  #now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async addNode(hostname: string, options: SimulatedNodeOptions = {}): Promise<string> {
    const made: NewObject<Node> = {
      Spec: { Role: options.role ?? "worker", Availability: options.availability ?? "active", Labels: options.labels ?? {}, Membership: "accepted" },
      Description: {
        Hostname: hostname,
        Platform: options.platform ?? { Architecture: "x86_64", OS: "linux" },
        Resources: options.resources ?? { NanoCPUs: 2e9, MemoryBytes: 2 ** 31 },
        Engine: { EngineVersion: "0.1.0" },
      },
      Status: { State: options.state ?? "ready", Addr: "10.0.0.1" },
    };
    return (await this.store.update((tx) => tx.create("nodes", made))).ID;
  }

  async updateNode(id: string, change: (node: Node) => Node): Promise<void> {
    await this.store.update((tx) => tx.update("nodes", change(tx.get("nodes", id)!)));
  }

  async setAvailability(id: string, availability: Node["Spec"]["Availability"]): Promise<void> {
    await this.updateNode(id, (node) => ({ ...node, Spec: { ...node.Spec, Availability: availability } }));
  }

  async setNodeState(id: string, state: Node["Status"]["State"]): Promise<void> {
    await this.updateNode(id, (node) => ({ ...node, Status: { ...node.Status, State: state } }));
  }

  async setNodeLabels(id: string, labels: Record<string, string>): Promise<void> {
    await this.updateNode(id, (node) => ({ ...node, Spec: { ...node.Spec, Labels: labels } }));
  }

  async removeNode(id: string): Promise<void> {
    await this.store.update((tx) => tx.delete("nodes", id));
  }

  /** Creates a service (a replicated one with `replicas` unless `change` says otherwise); jobs get a JobStatus as the service API gives them. */
  async createService(name: string, change: (spec: ServiceSpec) => ServiceSpec = (spec) => spec, replicas = 1): Promise<string> {
    const spec = change({ Name: name, Labels: {}, TaskTemplate: { ContainerSpec: { Image: "busybox:latest" }, ForceUpdate: 0 }, Mode: { Replicated: { Replicas: replicas } } });
    const isJob = "ReplicatedJob" in spec.Mode || "GlobalJob" in spec.Mode;
    const made: NewObject<Service> = { Spec: spec, Endpoint: { Spec: {} }, ...(isJob ? { JobStatus: { JobIteration: { Index: 0 }, LastExecution: this.#now() } } : {}) };
    return (await this.store.update((tx) => tx.create("services", made))).ID;
  }

  /** Updates a service's spec as the service API does (a job gets its next iteration). */
  async updateService(id: string, change: (spec: ServiceSpec) => ServiceSpec): Promise<void> {
    await this.store.update((tx) => {
      const service = tx.get("services", id)!;
      const jobStatus = service.JobStatus ? { JobStatus: { JobIteration: { Index: service.JobStatus.JobIteration.Index + 1 }, LastExecution: this.#now() } } : {};
      tx.update("services", { ...service, ...jobStatus, PreviousSpec: service.Spec, Spec: change(structuredClone(service.Spec)) });
    });
  }

  async scale(id: string, replicas: number): Promise<void> {
    await this.updateService(id, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: replicas } } }));
  }

  /** Removes a service as the service API does: the service goes, its tasks get desired state remove, in one write. */
  async removeService(id: string): Promise<void> {
    await this.store.update((tx) => {
      for (const task of tx.find("tasks", { index: "service", key: id })) {
        if (compareTaskStates(task.DesiredState, "remove") < 0) tx.update("tasks", { ...task, DesiredState: "remove" });
      }
      tx.delete("services", id);
    });
  }

  service(id: string): Service {
    return this.store.view((tx) => tx.get("services", id)!);
  }

  task(id: string): Task {
    return this.store.view((tx) => tx.get("tasks", id)!);
  }

  /** The tasks of a service (all of them without an ID), oldest first. */
  tasks(serviceId?: string): Task[] {
    const tasks = this.store.view((tx) => (serviceId ? tx.find("tasks", { index: "service", key: serviceId }) : tx.find("tasks")));
    return tasks.sort((a, b) => a.CreatedAt.localeCompare(b.CreatedAt) || a.ID.localeCompare(b.ID));
  }

  /** The tasks of a service meant to run (desired state running or ready). */
  runnable(serviceId: string): Task[] {
    return this.tasks(serviceId).filter((task) => compareTaskStates(task.DesiredState, "running") <= 0);
  }

  /** The tasks of a service observed running and meant to. */
  running(serviceId: string): Task[] {
    return this.tasks(serviceId).filter((task) => task.Status.State === "running" && task.DesiredState === "running");
  }

  /**
   * The fake scheduler: every new task meant to run goes to its node (global) or to the ready, active
   * node with the fewest tasks among those its constraints and CPU reservation allow.
   */
  async schedule(): Promise<boolean> {
    return this.store.update((tx) => {
      const nodes = tx.find("nodes").filter((node) => node.Status.State === "ready" && node.Spec.Availability === "active");
      const live = new Map(nodes.map((node) => [node.ID, tx.find("tasks", { index: "node", key: node.ID }).filter(isLive)]));
      const load = new Map(nodes.map((node) => [node.ID, live.get(node.ID)!.length]));
      const freeCpu = new Map(nodes.map((node) => [node.ID, (node.Description?.Resources.NanoCPUs ?? 0) - live.get(node.ID)!.reduce((sum, task) => sum + cpuOf(task), 0)]));
      let moved = false;
      const fresh = tx.find("tasks", { index: "state", key: "new" }).sort((a, b) => a.CreatedAt.localeCompare(b.CreatedAt) || (a.Slot ?? 0) - (b.Slot ?? 0) || a.ID.localeCompare(b.ID));
      for (const task of fresh) {
        if (compareTaskStates(task.DesiredState, "running") > 0) continue;
        let nodeId = task.NodeID;
        if (!nodeId) {
          const service = tx.get("services", task.ServiceID);
          const accepts = service ? placementFilter(service, silentLogger) : () => true;
          const fitting = nodes.filter((node) => accepts(node) && freeCpu.get(node.ID)! >= cpuOf(task));
          const best = fitting.sort((a, b) => load.get(a.ID)! - load.get(b.ID)! || a.Description!.Hostname.localeCompare(b.Description!.Hostname))[0];
          if (!best) continue;
          nodeId = best.ID;
          load.set(nodeId, load.get(nodeId)! + 1);
          freeCpu.set(nodeId, freeCpu.get(nodeId)! - cpuOf(task));
        }
        tx.update("tasks", { ...task, NodeID: nodeId, Status: { ...task.Status, State: "assigned", Message: "scheduler assigned task to node", Timestamp: this.#now() } });
        moved = true;
      }
      return moved;
    });
  }

  /** The fake agents of the ready nodes: start what should run (prepare what waits as `ready`), stop what should not. */
  async runAgents(): Promise<boolean> {
    return this.store.update((tx) => {
      let moved = false;
      for (const node of tx.find("nodes")) {
        if (node.Status.State !== "ready") continue;
        for (const task of tx.find("tasks", { index: "node", key: node.ID })) {
          const next = agentStep(task);
          if (!next) continue;
          tx.update("tasks", { ...task, Status: { ...task.Status, State: next, Message: next, Timestamp: this.#now() } });
          moved = true;
        }
      }
      return moved;
    });
  }

  /** A task's container stopped by itself: `failed` (exit 1), `complete` (exit 0), or another observed state. */
  async stopTask(id: string, state: TaskState = "failed"): Promise<void> {
    await this.store.update((tx) => {
      const task = tx.get("tasks", id)!;
      const exit = state === "complete" ? 0 : 1;
      tx.update("tasks", { ...task, Status: { ...task.Status, State: state, Message: state, Timestamp: this.#now(), ContainerStatus: { ExitCode: exit } } });
    });
  }

  /** Starts an orchestration (a leader's term) on this cluster, with a fresh {@link FakeUpdater}. */
  orchestrate(): { orchestration: Orchestration; updater: FakeUpdater } {
    const updater = new FakeUpdater();
    const orchestration = new Orchestration({ store: this.store, clock: this.clock, logger: silentLogger, clusterId: this.clusterId, updater });
    orchestration.start();
    return { orchestration, updater };
  }

  /** Lets the loops react, then schedules and runs agents, until nothing moves. */
  async converge(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      await settle(this.store);
      const scheduled = await this.schedule();
      const moved = await this.runAgents();
      if (!scheduled && !moved) {
        await settle(this.store);
        return;
      }
    }
    throw new Error("the simulated cluster did not converge in 100 rounds");
  }
}

function cpuOf(task: Task): number {
  return task.Spec.Resources?.Reservations?.NanoCPUs ?? 0;
}

function isLive(task: Task): boolean {
  return compareTaskStates(task.DesiredState, "running") <= 0 && compareTaskStates(task.Status.State, "running") <= 0;
}

/** What a node's agent does next with a task, or null when it waits. */
function agentStep(task: Task): TaskState | null {
  const observed = task.Status.State;
  if (compareTaskStates(observed, "assigned") < 0 || compareTaskStates(observed, "running") > 0) return null;
  if (compareTaskStates(task.DesiredState, "running") > 0) return "shutdown";
  if (task.DesiredState === "running") return observed === "running" ? null : "running";
  return compareTaskStates(observed, "ready") < 0 ? "ready" : null;
}
