import { Agent, managerNodeAgentStarter, type AgentDeps, type TaskExecutor } from "../agent/index.ts";
import type { SwarmInitRequest, SwarmSource } from "../api/index.ts";
import { ShoalError, systemClock, toShoalError, type Logger } from "../lib/index.ts";
import {
  ALREADY_IN_SWARM_MESSAGE,
  DEFAULT_LISTEN_ADDR,
  LEAVE_LAST_MANAGER_MESSAGE,
  Manager,
  NOT_A_MANAGER_MESSAGE,
  NOT_IN_SWARM_MESSAGE,
  WORKER_NOT_MANAGER_MESSAGE,
  LOCKED_LEAVE_MESSAGE,
  checkUnlockKeyText,
  isManagerLocked,
  isUnlockKeyRefusal,
  lockedSwarmInfo,
  resolveSwarmAddresses,
  unlockRefusal,
  type InterfaceAddresses,
  type ClusterEvent,
  type LocalNodeFacts,
  type LogBatch,
  type ManagerDeps,
} from "../manager/index.ts";
import { loadX509, swarmLockedError } from "../pki/index.ts";
import { LmdbRaftStorage } from "../raft/index.ts";
import { abandonJoin } from "./abandon-join.ts";
import type { LogOptions, LogSelector, Node, Swarm, SwarmInfo } from "../types/index.ts";
import { ServiceControl, type ServiceCreateResult, type ServiceUpdateOptions, type ServiceUpdateResult } from "../manager/index.ts";
import type { Service, Task } from "../types/index.ts";
import { ConfigControl, SecretControl, type PayloadCreateResult } from "../manager/index.ts";
import type { Config, Secret } from "../types/index.ts";

/** Options of {@link NodeSwarm.open}. */
export interface NodeSwarmOptions {
  dataRoot: string;
  logger: Logger;
  /** What this node reports about itself in its Node object. */
  facts: LocalNodeFacts;
  /** The host's network interfaces (for interface names and the default advertise address). */
  interfaces: () => InterfaceAddresses;
  /** Runs the tasks the managers assign to this node (none: the node takes part in the swarm without running tasks). */
  executor?: TaskExecutor | null;
  /** Where a manager reports changes of swarm objects for `docker events`. */
  onClusterEvent?: (event: ClusterEvent) => void;
}

/** `POST /swarm/join`'s checked body. */
type SwarmJoinRequest = Parameters<SwarmSource["join"]>[0];

/**
 * This node's place in a swarm: none, the manager of a one-manager swarm, or a worker whose agent
 * heartbeats to the managers (either restarted from disk when the daemon starts). Init, join and
 * leave run one at a time.
 */
export class NodeSwarm implements SwarmSource {
  readonly #options: NodeSwarmOptions;
  readonly #deps: ManagerDeps & AgentDeps;
  readonly #log: Logger;
  #manager: Manager | null = null;
  #agent: Agent | null = null;
  /** Why the swarm stored on disk could not be restarted ("" when it was, or there is none). */
  #error = "";
  /** `Info.Swarm` of this manager while autolock keeps its keys sealed, until `swarm unlock` (null otherwise). */
  #locked: SwarmInfo | null = null;
  /** The unlock key that opened this manager's keys when its start then failed (what `--force-new-cluster` opens them with). */
  #unlockKey: string | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: NodeSwarmOptions) {
    this.#options = options;
    this.#log = options.logger.with({ module: "swarm" });
    const agentDeps: AgentDeps = { dataRoot: options.dataRoot, clock: systemClock, logger: options.logger, executor: options.executor ?? null };
    this.#deps = {
      ...agentDeps,
      openRaftStorage: (path, storageOptions) => LmdbRaftStorage.open(path, storageOptions),
      startNodeAgent: managerNodeAgentStarter(agentDeps),
      ...(options.onClusterEvent ? { onClusterEvent: options.onClusterEvent } : {}),
    };
  }

  /** Restarts the manager when the data root holds a swarm; a failure is logged and shown in `info` as state `error`. */
  static async open(options: NodeSwarmOptions): Promise<NodeSwarm> {
    const swarm = new NodeSwarm(options);
    if (Manager.hasState(options.dataRoot) && (await isManagerLocked(options.dataRoot))) {
      swarm.#locked = await lockedSwarmInfo(options.dataRoot);
      swarm.#log.warn('the swarm manager is locked (autolock): unlock it with "docker swarm unlock"');
    } else if (Manager.hasState(options.dataRoot)) {
      try {
        swarm.#manager = swarm.#watchDemotion(await Manager.restart(swarm.#deps));
      } catch (error) {
        swarm.#error = toShoalError(error).message;
        swarm.#log.error("cannot restart the swarm manager", { error: swarm.#error });
      }
    } else if (Agent.hasState(options.dataRoot)) {
      try {
        swarm.#agent = swarm.#watchPromotion(await Agent.restart(swarm.#deps));
      } catch (error) {
        swarm.#error = toShoalError(error).message;
        swarm.#log.error("cannot restart the swarm agent", { error: swarm.#error });
      }
    }
    // The certificate library costs ≈75 ms of CPU to load: load it while idle, not during a `swarm join`.
    setTimeout(() => loadX509(), 1000).unref();
    return swarm;
  }

  /** The `Swarm` ping header. */
  header(): string {
    if (this.#locked) return "locked";
    if (this.#manager) return "active/manager";
    if (this.#agent) return "active/worker";
    return this.#error ? "error" : "inactive";
  }

  info(): SwarmInfo {
    if (this.#locked) return this.#locked;
    if (this.#manager) return this.#manager.info();
    if (this.#agent) return this.#agent.info();
    return { NodeID: "", NodeAddr: "", LocalNodeState: this.#error ? "error" : "inactive", ControlAvailable: false, Error: this.#error, RemoteManagers: null };
  }

  init(request: SwarmInitRequest): Promise<string> {
    return this.#serialized(async () => {
      if (request.ForceNewCluster && this.#locked) throw swarmLockedError();
      if (request.ForceNewCluster && (this.#manager || this.#error)) return this.#forceNewCluster(request);
      if (this.#manager || this.#agent || this.#error || this.#locked) throw new ShoalError("unavailable", ALREADY_IN_SWARM_MESSAGE);
      if (request.ForceNewCluster) throw new ShoalError("failed_precondition", "--force-new-cluster needs a swarm to recover, and this node is in none: init without it");
      const addresses = resolveSwarmAddresses(
        { listenAddr: request.ListenAddr, advertiseAddr: request.AdvertiseAddr, dataPathAddr: request.DataPathAddr },
        this.#options.interfaces(),
      );
      this.#manager = this.#watchDemotion(await Manager.init(this.#deps, {
        addresses,
        spec: request.Spec,
        availability: request.Availability || "active",
        defaultAddrPool: request.DefaultAddrPool,
        subnetSize: request.SubnetSize,
        dataPathPort: request.DataPathPort,
        autoLockManagers: request.AutoLockManagers,
        facts: this.#options.facts,
      }));
      return this.#manager.nodeId;
    });
  }

  /**
   * `swarm init --force-new-cluster` on a manager (running, or whose restart failed, e.g. for want
   * of a raft leader): restarts it from its own raft log as the only member of a new raft group,
   * keeping the swarm (IDs, tokens, objects). Refused on a worker: it holds no raft log.
   */
  async #forceNewCluster(request: SwarmInitRequest): Promise<string> {
    if (!this.#manager && !Manager.hasState(this.#options.dataRoot)) {
      throw new ShoalError("failed_precondition", "--force-new-cluster recovers a manager's swarm from its raft log, and this node has none: leave the swarm with --force, then init or join");
    }
    if (request.AutoLockManagers) throw new ShoalError("invalid_argument", '--force-new-cluster keeps the swarm\'s autolock setting: init without --autolock, and change it with "docker swarm update --autolock"');
    // Without --advertise-addr the stored addresses stay.
    const addresses = request.AdvertiseAddr
      ? resolveSwarmAddresses({ listenAddr: request.ListenAddr, advertiseAddr: request.AdvertiseAddr, dataPathAddr: request.DataPathAddr }, this.#options.interfaces())
      : null;
    const old = this.#manager;
    this.#manager = null;
    await old?.stopForRecovery();
    try {
      this.#manager = this.#watchDemotion(await Manager.forceNewCluster(this.#deps, addresses, old?.diskUnlockKey ?? this.#unlockKey));
    } catch (error) {
      this.#error = toShoalError(error).message;
      this.#log.error("cannot force a new cluster", { error: this.#error });
      throw error;
    }
    this.#error = "";
    return this.#manager.nodeId;
  }

  join(request: SwarmJoinRequest): Promise<void> {
    return this.#serialized(async () => {
      if (this.#manager || this.#agent || this.#error || this.#locked) throw new ShoalError("unavailable", ALREADY_IN_SWARM_MESSAGE);
      const interfaces = this.#options.interfaces();
      const addressRequest = { listenAddr: request.ListenAddr, advertiseAddr: request.AdvertiseAddr, dataPathAddr: request.DataPathAddr };
      // Without --advertise-addr the address that reaches the manager is advertised (the agent finds it).
      const resolved = request.AdvertiseAddr ? resolveSwarmAddresses(addressRequest, interfaces) : null;
      const listen = resolveSwarmAddresses({ listenAddr: request.ListenAddr, advertiseAddr: "127.0.0.1" }, interfaces);
      const advertisePort = resolved ? Number(resolved.advertiseAddr.slice(resolved.advertiseAddr.lastIndexOf(":") + 1)) : listen.listenPort;
      const outcome = await Agent.joinSwarm(this.#deps, {
        remoteAddrs: request.RemoteAddrs,
        joinToken: request.JoinToken,
        advertiseHost: resolved?.advertiseHost ?? "",
        availability: request.Availability || undefined,
        facts: this.#options.facts,
        managerPort: advertisePort,
        ...(request.ListenAddr ? { listenAddr: request.ListenAddr } : {}),
      });
      if (outcome.role === "worker") {
        this.#agent = this.#watchPromotion(outcome.agent);
        return;
      }
      const { membership } = outcome;
      const host = membership.advertiseHost;
      const addresses = resolved ?? {
        listenHost: listen.listenHost,
        listenPort: listen.listenPort,
        advertiseHost: host,
        advertiseAddr: host.includes(":") ? `[${host}]:${advertisePort}` : `${host}:${advertisePort}`,
        dataPathAddr: request.DataPathAddr ? resolveSwarmAddresses({ ...addressRequest, advertiseAddr: host }, interfaces).dataPathAddr : host,
      };
      try {
        this.#manager = this.#watchDemotion(await Manager.join(this.#deps, { ...membership, addresses }));
      } catch (error) {
        // The manager that let this node in recorded it (and raft takes it in as a learner): undo that.
        await abandonJoin(this.#deps, membership);
        throw error;
      }
    });
  }

  inspect(): Swarm {
    return this.#managerOrRefuse().swarm();
  }

  leave(force: boolean): Promise<void> {
    return this.#serialized(async () => {
      if (this.#error || this.#locked) {
        if (!force) throw new ShoalError("unavailable", this.#locked ? LOCKED_LEAVE_MESSAGE : LEAVE_LAST_MANAGER_MESSAGE);
        await Manager.eraseState(this.#options.dataRoot);
        await Agent.eraseState(this.#options.dataRoot);
        this.#error = "";
        this.#locked = null;
        this.#unlockKey = null;
        return;
      }
      const agent = this.#agent;
      if (agent) {
        this.#agent = null;
        await agent.leave();
        return;
      }
      const manager = this.#manager;
      if (!manager) throw new ShoalError("unavailable", NOT_IN_SWARM_MESSAGE);
      const managers = manager.nodes({}).filter((node) => node.ManagerStatus).length;
      if (!force) throw new ShoalError("unavailable", managers > 1 ? manager.leaveRefusal() : LEAVE_LAST_MANAGER_MESSAGE);
      this.#manager = null;
      if (managers > 1) await manager.leaveForce();
      else await manager.leave();
    });
  }

  updateNode(ref: string, version: number, spec: Record<string, unknown>): Promise<void> {
    return this.#managerOrRefuse().updateNode(ref, version, spec);
  }

  removeNode(ref: string, force: boolean): Promise<void> {
    return this.#managerOrRefuse().removeNode(ref, force);
  }

  update(version: number, spec: Record<string, unknown>, rotate: { worker: boolean; manager: boolean; managerUnlockKey: boolean }): Promise<void> {
    return this.#managerOrRefuse().updateSwarm(version, spec, rotate);
  }

  unlockKey(): string {
    return this.#managerOrRefuse().unlockKey();
  }

  /**
   * `swarm unlock`: starts this locked manager with its unlock key. A malformed or wrong key is refused
   * before anything starts (still locked); a start that fails otherwise (no raft leader…) leaves state `error`.
   */
  unlock(unlockKey: string): Promise<void> {
    return this.#serialized(async () => {
      if (!this.#locked) throw unlockRefusal(this.#manager ? "manager" : this.#agent ? "worker" : "none");
      const key = checkUnlockKeyText(unlockKey);
      try {
        this.#manager = this.#watchDemotion(await Manager.restart(this.#deps, key));
        this.#locked = null;
      } catch (error) {
        if (isUnlockKeyRefusal(error)) throw error;
        const failure = toShoalError(error);
        [this.#locked, this.#error, this.#unlockKey] = [null, failure.message, key];
        this.#log.error("cannot start the unlocked swarm manager", { error: failure.message });
        throw new ShoalError(failure.code, `swarm component could not be started: ${failure.message}`, { cause: error });
      }
    });
  }

  nodes(filters: Record<string, string[]>): Node[] {
    return this.#managerOrRefuse().nodes(filters);
  }

  node(ref: string): Node {
    return this.#managerOrRefuse().node(ref);
  }

  services(filters: Record<string, string[]>, options: { status: boolean }): Service[] {
    return this.#serviceControl().list(filters, options);
  }

  service(ref: string, options: { insertDefaults: boolean }): Service {
    return this.#serviceControl().inspect(ref, options);
  }

  createService(spec: Record<string, unknown>, options: { registryAuth?: string }): Promise<ServiceCreateResult> {
    return this.#serviceControl().create(spec, options);
  }

  updateService(ref: string, version: number, spec: Record<string, unknown>, options: ServiceUpdateOptions): Promise<ServiceUpdateResult> {
    return this.#serviceControl().update(ref, version, spec, options);
  }

  removeService(ref: string): Promise<void> {
    return this.#serviceControl().remove(ref);
  }

  tasks(filters: Record<string, string[]>): Task[] {
    return this.#serviceControl().tasks(filters);
  }

  task(ref: string): Task {
    return this.#serviceControl().task(ref);
  }

  /** The service and task API over the running manager's store (refused as the node routes are elsewhere). */
  #serviceControl(): ServiceControl {
    return new ServiceControl(this.#managerOrRefuse().store, this.#deps.clock);
  }

  secrets(filters: Record<string, string[]>): Secret[] {
    return this.#secretControl().list(filters);
  }

  secret(ref: string): Secret {
    return this.#secretControl().inspect(ref);
  }

  createSecret(spec: unknown): Promise<PayloadCreateResult> {
    return this.#secretControl().create(spec);
  }

  updateSecret(ref: string, version: number, spec: unknown): Promise<void> {
    return this.#secretControl().update(ref, version, spec);
  }

  removeSecret(ref: string): Promise<void> {
    return this.#secretControl().remove(ref);
  }

  /** The secret API over the running manager's store. */
  #secretControl(): SecretControl {
    return new SecretControl(this.#managerOrRefuse().store);
  }

  configs(filters: Record<string, string[]>): Config[] {
    return this.#configControl().list(filters);
  }

  config(ref: string): Config {
    return this.#configControl().inspect(ref);
  }

  createConfig(spec: unknown): Promise<PayloadCreateResult> {
    return this.#configControl().create(spec);
  }

  updateConfig(ref: string, version: number, spec: unknown): Promise<void> {
    return this.#configControl().update(ref, version, spec);
  }

  removeConfig(ref: string): Promise<void> {
    return this.#configControl().remove(ref);
  }

  /** The config API over the running manager's store. */
  #configControl(): ConfigControl {
    return new ConfigControl(this.#managerOrRefuse().store);
  }

  serviceLogs(selector: LogSelector, options: LogOptions, signal: AbortSignal): AsyncIterable<LogBatch> {
    return this.#managerOrRefuse().logs(selector, options, signal);
  }

  /** Stops the manager, keeping the swarm on disk (daemon shutdown). */
  async stop(): Promise<void> {
    await this.#queue.catch(() => {});
    await this.#manager?.stop("restart");
    await this.#agent?.stop("restart");
  }

  /**
   * When `manager` is demoted (and out of raft), this node continues as a worker: the manager stops
   * and erases its raft state, and an agent heartbeats to the other managers with the same identity.
   */
  #watchDemotion(manager: Manager): Manager {
    manager.onDemoted = () =>
      void this.#serialized(async () => {
        if (this.#manager !== manager) return;
        const managers = await manager.stepDown();
        this.#manager = null;
        const { listenHost, listenPort, advertiseHost } = manager.addresses;
        const listenAddr = listenHost.includes(":") ? `[${listenHost}]:${listenPort}` : `${listenHost}:${listenPort}`;
        this.#agent = this.#watchPromotion(await Agent.continueAsWorker(this.#deps, { nodeId: manager.nodeId, clusterId: manager.clusterId, advertiseHost, managers, listenAddr }));
      }).catch((error) => {
        this.#error = toShoalError(error).message;
        this.#log.error("cannot continue as a worker after demotion", { error: this.#error });
      });
    return manager;
  }

  /**
   * When `agent`'s heartbeat answer says this node was promoted: it fetches its manager material over
   * its session (raft address: its advertised IP and the listen port given at join, 2377 by default),
   * stops, and the node starts a manager exactly as one joining with the manager token does
   * (`Manager.join`: empty raft log, the leader adds it as a learner and promotes it). When fetching
   * fails the agent keeps running and tries again after its next heartbeat.
   */
  #watchPromotion(agent: Agent): Agent {
    agent.onPromoted = () =>
      this.#serialized(async () => {
        if (this.#agent !== agent) return;
        const state = agent.state;
        const addresses = resolveSwarmAddresses({ listenAddr: state.listenAddr || DEFAULT_LISTEN_ADDR, advertiseAddr: state.advertiseHost }, this.#options.interfaces());
        const membership = await agent.fetchManagerMaterial(addresses.advertiseAddr);
        this.#agent = null;
        await agent.stop("restart");
        try {
          this.#manager = this.#watchDemotion(await Manager.join(this.#deps, { ...membership, addresses }));
          this.#log.info("promoted: this node is a manager now", { "node.id": membership.nodeId });
        } catch (error) {
          this.#error = toShoalError(error).message;
          this.#log.error("cannot start the manager after promotion", { error: this.#error });
        }
      });
    return agent;
  }

  #managerOrRefuse(): Manager {
    if (this.#locked) throw swarmLockedError();
    if (this.#agent) throw new ShoalError("unavailable", WORKER_NOT_MANAGER_MESSAGE);
    if (!this.#manager) throw new ShoalError("unavailable", NOT_A_MANAGER_MESSAGE);
    this.#manager.assertLeader();
    return this.#manager;
  }

  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(fn, fn);
    this.#queue = result.catch(() => {});
    return result;
  }
}
