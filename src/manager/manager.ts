import { mkdir } from "node:fs/promises";
import { ShoalError, newId, sleep, toShoalError, type Clock, type Logger } from "../lib/index.ts";
import {
  createNodeKeyAndCsr,
  createRootCA,
  generateDataKey,
  generateJoinTokens,
  rotateJoinToken,
  issueNodeCertificate,
  openSigningCa,
  saveNodeCredentials,
  saveRootCaBundle,
} from "../pki/index.ts";
import { RaftNode, type RaftStart, type RaftStorage, type StorageCipher } from "../raft/index.ts";
import { ClusterStore, dataKeyCipher } from "../store/index.ts";
import { RpcServer, TransportServer, type TlsMaterial } from "../transport/index.ts";
import type { LogOptions, LogSelector, Node, NodeAvailability, Reachability, Swarm, SwarmInfo } from "../types/index.ts";
import { initialSwarmSpec, mergeClusterSpecUpdate, nodeCertValidityMs, type RequestedSwarmSpec } from "./cluster-spec.ts";
import { CaServer } from "./ca-server.ts";
import { Dispatcher } from "./dispatcher.ts";
import { eraseManagerState, hasSwarmState, raftDir, readSwarmState, removeSwarmState, swarmDir, writeCaKey, writeSwarmState, type SwarmState } from "./manager-state.ts";
import { ManagerLock } from "./manager-lock.ts";
import { openManagerSecrets, unsealForWorker } from "./manager-secrets.ts";
import { clusterUnlockKey, nextUnlockKeys } from "./unlock-keys.ts";
import { filterNodes } from "./node-filters.ts";
import { parseNodeSpec, removalRefusal, roleChangeRefusal } from "./node-updates.ts";
import { RaftLink } from "./raft-link.ts";
import { propose } from "./store-proposer.ts";
import { RaftMembership } from "./raft-membership.ts";
import { managerLeaveRefusal, memberReachability, removalLosesQuorum } from "./reachability.ts";
import type { SwarmAddresses } from "./swarm-addresses.ts";
import type { RemoteManager } from "./swarm-protocol.ts";
import { tlsInfoOf as tlsInfo } from "./tls-info.ts";
import { retireOtherManagers } from "./force-new-cluster.ts";
import { NO_LEADER_MESSAGE } from "./swarm-messages.ts";
import { LeaderLoops, type LeaderLoop } from "./leader-loops.ts";
import { leadsUpToDate } from "./leader-probe.ts";
import { TaskAllocator } from "./task-allocator.ts";
import { Orchestration } from "./orchestrator/orchestration.ts";
import { RollingUpdater } from "./orchestrator/rolling-updater.ts";
import { Scheduler } from "./scheduler/index.ts";
import { clusterEventOf, type ClusterEvent } from "./cluster-events.ts";
import { LogBroker } from "./log-broker.ts";
import { SubscribeLogs, type LogBatch } from "./log-protocol.ts";

/** How long a manager waits to become raft leader (a single member elects itself at once). */
const LEADER_TIMEOUT_MS = 10_000;

/** How often the managers' listener pings a connection that has gone quiet, and when it gives up on it. */
const SESSION_KEEPALIVE_INTERVAL_MS = 1000;
const SESSION_KEEPALIVE_TIMEOUT_MS = 4000;

/** What a manager needs from the node: its data root, time, a log, and how to open raft storage. */
export interface ManagerDeps {
  dataRoot: string;
  clock: Clock;
  logger: Logger;
  /** Opens the raft log at `path` (LmdbRaftStorage.open in the daemon), sealing it with `cipher`. */
  openRaftStorage: (path: string, options: { cipher: StorageCipher }) => Promise<RaftStorage>;
  /** Milliseconds per raft tick (default 100). */
  tickMs?: number;
  /** Whether the leader runs the allocator, scheduler and orchestrators (default true; off in tests of the dispatcher alone). */
  orchestration?: boolean;
  /** Called with every change of a swarm object docker reports in `docker events` (scope swarm). */
  onClusterEvent?: (event: ClusterEvent) => void;
  /** Starts this node's agent once the manager runs (managers run tasks too); none in tests of the manager alone. */
  startNodeAgent?: NodeAgentStart;
}

/** What a manager node's agent needs: its identity, its TLS material and the managers to talk to (leader first). */
export interface NodeAgentIdentity {
  nodeId: string;
  clusterId: string;
  material: () => TlsMaterial;
  managers: () => RemoteManager[];
  /** A heartbeat answer gave this node's role in the leader's store, and the managers (leader first). */
  onRole?: (role: "worker" | "manager", managers: RemoteManager[]) => void;
}

/** A running node agent: `stop("restart")` when the daemon stops, `stop("leave")` when the node leaves, `stop()` on demotion. */
export interface NodeAgentHandle {
  stop(ending?: "restart" | "leave"): Promise<void>;
}

/** Starts a manager node's agent. */
export type NodeAgentStart = (identity: NodeAgentIdentity) => NodeAgentHandle;

/** What this node says about itself in its Node object. */
export interface LocalNodeFacts {
  hostname: string;
  /** `uname -m` style, e.g. x86_64. */
  architecture: string;
  nanoCpus: number;
  memoryBytes: number;
  engineVersion: string;
}

/** A checked `swarm init`. */
export interface ManagerInitOptions {
  addresses: SwarmAddresses;
  spec?: RequestedSwarmSpec | null;
  availability?: NodeAvailability;
  autoLockManagers?: boolean;
  defaultAddrPool?: string[];
  subnetSize?: number;
  dataPathPort?: number;
  facts: LocalNodeFacts;
}

/** The parts of a running manager, stopped together. */
interface Running {
  state: SwarmState;
  store: ClusterStore;
  raft: RaftNode;
  storage: RaftStorage;
  server: TransportServer;
  link: RaftLink;
  dispatcher: Dispatcher;
  membership: RaftMembership;
  /** Keeps this manager's keys on disk sealed with the cluster's unlock key (autolock). */
  lock: ManagerLock;
  /** This node's agent (tasks on a manager node), when the node runs one. */
  nodeAgent: NodeAgentHandle | null;
  /**
   * Set when this manager, coming back, heard from the leader that it was demoted while it was down
   * (it is out of raft, so raft itself never tells it): the managers to continue as a worker with.
   */
  demotion: { managers: RemoteManager[] } | null;
  /** Allocator, scheduler and orchestrators, running while this manager leads. */
  leaderLoops: LeaderLoops;
  /** Ends the cluster events watch. */
  stopEvents: AbortController;
  /** Gathers task logs from the nodes (on the leader). */
  logBroker: LogBroker;
  /** Set by the Manager once made: what to do when this node has been demoted. */
  hooks: { onDemoted: () => void };
}

/** A node that a manager token let in: what it got from the manager that answered, and where it listens. */
export interface ManagerJoinOptions {
  addresses: SwarmAddresses;
  nodeId: string;
  clusterId: string;
  keyPem: string;
  certificatePem: string;
  rootCaPem: string;
  caKeyPem: string;
  dataKey: Uint8Array;
  /** The managers of the swarm (raft's leader among them). */
  managers: RemoteManager[];
}

/**
 * The manager role of one node: the cluster store as the state machine of a raft group over the
 * managers' mTLS transport, and the swarm's identity (root CA, certificates, join tokens). `init`
 * creates a swarm, `join` adds this node to one as a further manager, `restart` brings either back
 * from disk, `leave` erases it.
 */
export class Manager {
  readonly #deps: ManagerDeps;
  readonly #running: Running;
  readonly #log: Logger;
  #stopping: Promise<void> | undefined;

  private constructor(deps: ManagerDeps, running: Running) {
    this.#deps = deps;
    this.#running = running;
    this.#log = deps.logger.with({ module: "manager", "node.id": running.state.nodeId });
  }

  /** True when `dataRoot` holds a swarm to restart from. */
  static hasState(dataRoot: string): boolean {
    return hasSwarmState(dataRoot);
  }

  /** Erases a swarm state that cannot be restarted (leaving a swarm whose manager failed to start). */
  static eraseState(dataRoot: string): Promise<void> {
    return removeSwarmState(dataRoot);
  }

  /** Creates a new swarm with this node as its only manager; on failure nothing of it is left on disk. */
  static async init(deps: ManagerDeps, options: ManagerInitOptions): Promise<Manager> {
    const { dataRoot, clock } = deps;
    const spec = initialSwarmSpec(options.spec, options.autoLockManagers ?? false);
    const defaultAddrPool = options.defaultAddrPool?.length ? [...options.defaultAddrPool] : ["10.0.0.0/8"];
    const subnetSize = options.subnetSize || 24;
    const dataPathPort = options.dataPathPort || 4789;
    const state: SwarmState = { nodeId: newId(), clusterId: newId(), addresses: options.addresses };
    let running: Running | undefined;
    try {
      await mkdir(swarmDir(dataRoot), { recursive: true, mode: 0o700 });
      const root = await createRootCA({ clock });
      const signer = await openSigningCa(root);
      const { keyPem, csrPem } = await createNodeKeyAndCsr();
      const issued = await issueNodeCertificate(signer, csrPem, {
        nodeId: state.nodeId,
        role: "manager",
        clusterId: state.clusterId,
        clock,
        validityMs: nodeCertValidityMs(spec),
      });
      const dataKey = generateDataKey();
      const unlockKeys = nextUnlockKeys(undefined, spec.EncryptionConfig.AutoLockManagers, false);
      const unlockKey = clusterUnlockKey({ Spec: spec, UnlockKeys: unlockKeys });
      await saveRootCaBundle(dataRoot, root.certificatePem);
      await saveNodeCredentials(dataRoot, { certificatePem: issued.chainPem, keyPem, dataKey }, { unlockKey });
      await writeCaKey(dataRoot, root.keyPem, unlockKey === null ? null : dataKeyCipher(dataKey));
      const tokens = generateJoinTokens(root.certificatePem);
      running = await start(deps, state, { key: keyPem, cert: issued.chainPem, ca: root.certificatePem }, dataKey, { bootstrap: true }, root.keyPem, unlockKey);
      await running.store.update((tx) => {
        tx.create("cluster", {
          ID: state.clusterId,
          Spec: spec,
          TLSInfo: tlsInfo(root.certificatePem),
          RootRotationInProgress: false,
          DataPathPort: dataPathPort,
          DefaultAddrPool: defaultAddrPool,
          SubnetSize: subnetSize,
          JoinTokens: { Worker: tokens.worker, Manager: tokens.manager },
          ...(unlockKeys ? { UnlockKeys: unlockKeys } : {}),
        });
        tx.create("nodes", {
          ID: state.nodeId,
          Spec: { Labels: {}, Role: "manager", Availability: options.availability ?? "active", Membership: "accepted" },
          Description: {
            Hostname: options.facts.hostname,
            Platform: { Architecture: options.facts.architecture, OS: "linux" },
            Resources: { NanoCPUs: options.facts.nanoCpus, MemoryBytes: options.facts.memoryBytes },
            Engine: { EngineVersion: options.facts.engineVersion },
            TLSInfo: tlsInfo(root.certificatePem),
          },
          Status: { State: "ready", Addr: options.addresses.advertiseHost },
          ManagerStatus: { Leader: true, Reachability: "reachable", Addr: options.addresses.advertiseAddr },
        });
      });
      await writeSwarmState(dataRoot, state); // last: from here on the daemon restarts into this swarm
    } catch (error) {
      if (running) await stopRunning(running);
      await removeSwarmState(dataRoot).catch(() => {});
      throw error;
    }
    const manager = new Manager(deps, running);
    manager.#log.info("swarm initialized", { "cluster.id": state.clusterId, "advertise.addr": state.addresses.advertiseAddr });
    return manager;
  }

  /**
   * Becomes a manager of the swarm a manager token let this node into: stores the credentials, the
   * CA key and the raft data key, starts raft with an empty log (no bootstrap: the leader adds this
   * member as a learner, sends it the log or a snapshot, and promotes it once caught up), and waits
   * until this node's own Node object has arrived. On failure nothing of it is left on disk.
   */
  static async join(deps: ManagerDeps, options: ManagerJoinOptions): Promise<Manager> {
    const { dataRoot } = deps;
    const state: SwarmState = { nodeId: options.nodeId, clusterId: options.clusterId, addresses: options.addresses, managers: options.managers };
    let running: Running | undefined;
    let written: Promise<unknown> | undefined;
    try {
      await removeSwarmState(dataRoot); // a raft log left from an earlier membership would confuse the new member
      await mkdir(swarmDir(dataRoot), { recursive: true, mode: 0o700 });
      // Written while raft starts (it takes them from memory): the sooner this node listens, the sooner
      // the leader reaches it. All are on disk before state.json records the membership.
      written = Promise.all([
        saveRootCaBundle(dataRoot, options.rootCaPem),
        saveNodeCredentials(dataRoot, { certificatePem: options.certificatePem, keyPem: options.keyPem, dataKey: options.dataKey }),
        writeCaKey(dataRoot, options.caKeyPem),
      ]);
      written.catch(() => {}); // awaited below
      running = await start(deps, state, { key: options.keyPem, cert: options.certificatePem, ca: options.rootCaPem }, options.dataKey, null, options.caKeyPem, null);
      await written;
      await waitForMembership(running, deps.clock);
      await writeSwarmState(dataRoot, state); // last: from here on the daemon restarts into this swarm
    } catch (error) {
      await written?.catch(() => {}); // no write may land after the state is erased
      if (running) await stopRunning(running);
      await removeSwarmState(dataRoot).catch(() => {});
      throw error;
    }
    const manager = new Manager(deps, running);
    manager.#log.info("joined the swarm as a manager", { "cluster.id": state.clusterId, "advertise.addr": state.addresses.advertiseAddr });
    return manager;
  }

  /**
   * Starts the manager of the swarm stored under the data root again: same node, cluster, tokens and objects.
   * `unlockKey` opens its keys when autolock sealed them (`swarm unlock`); a wrong one is refused before anything starts.
   */
  static async restart(deps: ManagerDeps, unlockKey: string | null = null): Promise<Manager> {
    const manager = new Manager(deps, await startFromDisk(deps, null, null, unlockKey));
    manager.#log.info("manager restarted", { "cluster.id": manager.clusterId, "raft.index": manager.store.index });
    return manager;
  }

  /**
   * `swarm init --force-new-cluster` (recovery from quorum loss): restarts the swarm stored under the
   * data root with raft forced into a group of this member alone, from its committed log: same node,
   * cluster, tokens and objects. The other managers' Node objects stay, marked down and unreachable
   * and left out of raft (see {@link retireOtherManagers}); they can be demoted and removed. The
   * running manager of this node, if any, must have been stopped. `addresses` (when given) replace
   * the stored ones.
   */
  static async forceNewCluster(deps: ManagerDeps, addresses: SwarmAddresses | null, unlockKey: string | null = null): Promise<Manager> {
    const running = await startFromDisk(deps, { forceNewCluster: true }, addresses, unlockKey);
    try {
      await running.store.update((tx) => retireOtherManagers(tx, running.state.nodeId, running.state.addresses));
      await writeSwarmState(deps.dataRoot, { ...running.state, managers: undefined }); // the old members are no seeds any more
    } catch (error) {
      await stopRunning(running);
      throw error;
    }
    const manager = new Manager(deps, running);
    manager.#log.warn("forced a new cluster from this manager's raft log: it is the only raft member now", { "cluster.id": manager.clusterId, "raft.index": manager.store.index });
    return manager;
  }

  /** Refuses with Docker's text while raft has no leader (too few managers online): the store may be stale then. */
  assertLeader(): void {
    if (this.#running.raft.status().leader === null) throw new ShoalError("unavailable", NO_LEADER_MESSAGE);
  }

  /** This node's ID (its certificate's CN and its raft member ID). */
  get nodeId(): string {
    return this.#running.state.nodeId;
  }

  /** The swarm's ID (its certificates' O). */
  get clusterId(): string {
    return this.#running.state.clusterId;
  }

  /** The addresses this manager listens and is reached at. */
  get addresses(): SwarmAddresses {
    return this.#running.state.addresses;
  }

  /** The cluster store (for the manager's components and tests). */
  get store(): ClusterStore {
    return this.#running.store;
  }

  /**
   * The logs of the tasks `selector` names, gathered from the nodes that run them: on the leader
   * by its log broker, from a follower through the leader.
   */
  async *logs(selector: LogSelector, options: LogOptions, signal: AbortSignal): AsyncGenerator<LogBatch> {
    const { raft, link, logBroker } = this.#running;
    const leader = raft.status().leader;
    if (leader === null) throw new ShoalError("unavailable", NO_LEADER_MESSAGE);
    if (leader === this.nodeId) {
      yield* logBroker.subscribe(selector, options, signal);
      return;
    }
    const client = await link.clientOf(leader);
    yield* client.stream(SubscribeLogs, { selector, options }, { signal });
  }

  /** The cluster object as `GET /swarm` returns it, join tokens included. */
  swarm(): Swarm {
    const cluster = this.#running.store.view((tx) => tx.get("cluster", this.clusterId));
    if (!cluster) throw new ShoalError("unavailable", "the cluster object is not in the store yet; try again");
    const { UnlockKeys: _managersOnly, ...shown } = cluster;
    return shown;
  }

  /** `GET /swarm/unlockkey`: the managers' unlock key while autolock is on, "" otherwise. */
  unlockKey(): string {
    return clusterUnlockKey(this.#running.store.view((tx) => tx.get("cluster", this.clusterId))) ?? "";
  }

  /** The unlock key this manager's keys on disk are sealed with now (null: in clear). */
  get diskUnlockKey(): string | null {
    return this.#running.lock.unlockKey;
  }

  /** `Info.Swarm` of this manager. */
  info(): SwarmInfo {
    const { JoinTokens: _tokens, ...cluster } = this.swarm();
    const nodes = this.nodes({});
    const managers = nodes.filter((node) => node.ManagerStatus);
    return {
      NodeID: this.nodeId,
      NodeAddr: this.addresses.advertiseHost,
      LocalNodeState: "active",
      ControlAvailable: true,
      Error: "",
      RemoteManagers: managers.map((node) => ({ NodeID: node.ID, Addr: node.ManagerStatus!.Addr })),
      Nodes: nodes.length,
      Managers: managers.length,
      Cluster: cluster,
    };
  }

  /** Nodes passing `filters` (see {@link filterNodes}), leader marked from raft's view. */
  nodes(filters: Record<string, string[]>): Node[] {
    const all = this.#running.store.view((tx) => tx.find("nodes"));
    return filterNodes(all, filters).map((node) => this.#live(node));
  }

  /** One node by ID, name (hostname) or unique ID prefix; not_found (`node X not found`) otherwise. */
  node(ref: string): Node {
    return this.#live(this.#running.store.view((tx) => tx.lookup("nodes", this.#self(ref))));
  }

  /** `POST /nodes/{id}/update?version=N`: the whole spec, refused when `version` is not the node's current one. */
  async updateNode(ref: string, version: number, body: Record<string, unknown>): Promise<void> {
    const spec = parseNodeSpec(body);
    await this.#running.store.update((tx) => {
      const node = tx.lookup("nodes", this.#self(ref));
      const managers = tx.find("nodes").filter((candidate) => candidate.Spec.Role === "manager").length;
      const losesQuorum = spec.Role === "worker" && node.Spec.Role === "manager" && this.#removalLosesQuorum(node.ID);
      const refusal = roleChangeRefusal(node, spec.Role, managers, losesQuorum);
      if (refusal) throw new ShoalError("failed_precondition", refusal);
      tx.update("nodes", { ...node, Version: { Index: version }, Spec: { ...node.Spec, ...spec, Labels: spec.Labels } });
    });
  }

  /** `DELETE /nodes/{id}?force=`. */
  async removeNode(ref: string, force: boolean): Promise<void> {
    await this.#running.store.update((tx) => {
      const node = tx.lookup("nodes", this.#self(ref));
      const refusal = removalRefusal(node, force);
      if (refusal) throw new ShoalError("failed_precondition", refusal);
      tx.delete("nodes", node.ID);
    });
  }

  /**
   * `POST /swarm/update?version=N&rotateWorkerToken=&rotateManagerToken=&rotateManagerUnlockKey=`: the
   * cluster spec (its name is fixed), join tokens rotated on request, the managers' unlock key made,
   * rotated or dropped as autolock asks (see {@link nextUnlockKeys}); a stale version is refused.
   */
  async updateSwarm(version: number, spec: Record<string, unknown>, rotate: { worker: boolean; manager: boolean; managerUnlockKey?: boolean }): Promise<void> {
    await this.#running.store.update((tx) => {
      const cluster = tx.get("cluster", this.clusterId);
      if (!cluster) throw new ShoalError("unavailable", "the cluster object is not in the store yet; try again");
      const merged = mergeClusterSpecUpdate(cluster.Spec, spec);
      const tokens = {
        Worker: rotate.worker ? rotateJoinToken(cluster.JoinTokens.Worker) : cluster.JoinTokens.Worker,
        Manager: rotate.manager ? rotateJoinToken(cluster.JoinTokens.Manager) : cluster.JoinTokens.Manager,
      };
      const { UnlockKeys: current, ...rest } = cluster;
      const unlockKeys = nextUnlockKeys(current, merged.EncryptionConfig.AutoLockManagers, rotate.managerUnlockKey ?? false);
      tx.update("cluster", { ...rest, Version: { Index: version }, Spec: merged, JoinTokens: tokens, ...(unlockKeys ? { UnlockKeys: unlockKeys } : {}) });
    });
    await this.#running.lock.reconcile(); // this manager's keys follow autolock and the unlock key before the answer
  }

  /**
   * Stops this node's agent, serving, raft and storage; the swarm state stays on disk. `ending` is
   * what the agent tells the dispatcher (default `restart`: the node keeps its tasks for the
   * heartbeat grace). Idempotent.
   */
  stop(ending: "restart" | "leave" = "restart"): Promise<void> {
    this.#stopping ??= stopRunning(this.#running, ending).then(() => this.#log.info("manager stopped"));
    return this.#stopping;
  }

  /**
   * Stops before `--force-new-cluster` restarts this manager from its log. Raft keeps only entries up
   * to the commit index on disk; `stop` writes the commit index raft had not written yet, so what
   * this manager applied survives the forcing.
   */
  async stopForRecovery(): Promise<void> {
    await this.stop();
  }

  /** Stops and erases the swarm state and certificates: the node is in no swarm afterwards. */
  async leave(): Promise<void> {
    await this.stop("leave");
    await removeSwarmState(this.#deps.dataRoot);
    this.#log.info("left the swarm");
  }

  /** `self` names this node (the docker CLI sends it as given for `node update self`). */
  #self(ref: string): string {
    return ref === "self" ? this.nodeId : ref;
  }

  /** A manager's reachability as this manager sees it now (see {@link memberReachability}). */
  #reachability(member: string, stored: Reachability | undefined): Reachability {
    const { raft, link } = this.#running;
    return memberReachability({ self: this.nodeId, leader: raft.status().leader, member, stored, lastHeardAt: link.lastHeardFrom(member), now: this.#deps.clock.now() });
  }

  /** Whether taking `member` out of the raft voters now would leave the rest without a quorum. */
  #removalLosesQuorum(member: string): boolean {
    const voters = this.#running.raft.status().membership.voters;
    const stored = new Map(this.#running.store.view((tx) => tx.find("nodes")).map((node) => [node.ID, node.ManagerStatus?.Reachability]));
    const unreachable = new Set(voters.filter((voter) => this.#reachability(voter, stored.get(voter)) === "unreachable"));
    return removalLosesQuorum(voters, member, unreachable);
  }

  /**
   * Why this manager may not leave without `--force` (moby's words): always, as in Docker; the
   * message tells how many managers would be left and whether that loses the quorum.
   */
  leaveRefusal(): string {
    const managers = this.nodes({}).filter((node) => node.ManagerStatus);
    const reachable = managers.filter((node) => node.ManagerStatus!.Reachability === "reachable").length;
    return managerLeaveRefusal(reachable, managers.length - reachable);
  }

  /**
   * `swarm leave --force` on a manager of several: out of raft first when that keeps the others'
   * quorum (this node demotes itself and waits until the group no longer holds it), then the state
   * is erased. When it would lose the quorum, or the others cannot be reached, it just leaves: the
   * others see it unreachable, as with Docker.
   */
  async leaveForce(): Promise<void> {
    const managers = this.#running.store.view((tx) => tx.find("nodes")).filter((node) => node.Spec.Role === "manager");
    if (managers.length > 1 && !this.#removalLosesQuorum(this.nodeId)) {
      try {
        const demoted = new Promise<void>((resolve) => (this.#running.hooks.onDemoted = resolve));
        await this.#running.store.update((tx) => {
          const node = tx.get("nodes", this.nodeId);
          if (node) tx.update("nodes", { ...node, Spec: { ...node.Spec, Role: "worker" } });
        });
        await Promise.race([demoted, sleep(this.#deps.clock, LEADER_TIMEOUT_MS)]);
      } catch (error) {
        this.#log.warn("could not leave raft before leaving the swarm; leaving anyway", { error: toShoalError(error).message });
      }
    }
    await this.leave();
  }

  /** Called once when this manager has been demoted and is out of raft (the node continues as a worker). */
  set onDemoted(callback: (() => void) | null) {
    this.#running.hooks.onDemoted = callback ?? (() => {});
    // Demoted while it was down: the node steps down as soon as someone is there to do it.
    if (callback && this.#running.demotion) queueMicrotask(callback);
  }

  /**
   * After a demotion: stops and erases what only a manager keeps (raft log, swarm state, CA key),
   * keeping the node's certificate and key, and returns the other managers to heartbeat to.
   */
  async stepDown(): Promise<RemoteManager[]> {
    const managers = this.#running.demotion?.managers.filter((manager) => manager.NodeID !== this.nodeId) ?? this.#running.store
      .view((tx) => tx.find("nodes"))
      .flatMap((node) => (node.ManagerStatus && node.ID !== this.nodeId && node.Spec.Role === "manager" ? [{ NodeID: node.ID, Addr: node.ManagerStatus.Addr }] : []));
    await this.stop();
    await unsealForWorker(this.#deps.dataRoot, this.#running.lock.unlockKey); // workers are never locked
    await eraseManagerState(this.#deps.dataRoot);
    this.#log.info("manager stepped down; this node is a worker now");
    return managers;
  }

  /** The node as the API shows it: Leader and Reachability from raft, no SwarmKit-only fields. */
  #live(node: Node): Node {
    const { Membership: _membership, ...spec } = node.Spec;
    const leader = this.#running.raft.status().leader;
    const managerStatus = node.ManagerStatus
      ? { ...node.ManagerStatus, Leader: node.ID === leader, Reachability: this.#reachability(node.ID, node.ManagerStatus.Reachability) }
      : undefined;
    return { ...node, Spec: spec, ...(managerStatus ? { ManagerStatus: managerStatus } : {}) };
  }
}

/**
 * Opens raft storage, the store, the raft member and the transport server, and waits to lead.
 * `raftStart`: a brand-new group of this member alone (init), or one forced from this member's
 * committed log (`--force-new-cluster`); otherwise raft restarts or joins as its log says.
 */
async function start(
  deps: ManagerDeps,
  state: SwarmState,
  material: TlsMaterial,
  dataKey: Uint8Array,
  raftStart: RaftStart | null,
  caKeyPem: string,
  unlockKey: string | null,
): Promise<Running> {
  const logger = deps.logger.with({ "node.id": state.nodeId });
  const cipher = dataKeyCipher(dataKey);
  const storage = await deps.openRaftStorage(raftDir(deps.dataRoot), { cipher });
  const store = new ClusterStore({ clock: deps.clock, logger, cipher });
  const seeds = new Map((state.managers ?? []).map((manager) => [manager.NodeID, manager.Addr]));
  const addressOf = (member: string): string | undefined =>
    member === state.nodeId ? undefined : (store.view((tx) => tx.get("nodes", member))?.ManagerStatus?.Addr ?? seeds.get(member));
  const link = new RaftLink({ material: () => material, addressOf, clock: deps.clock, logger: logger.with({ module: "raft" }) });
  const hooks = { onDemoted: () => {} };
  let raft: RaftNode | undefined;
  const leaderId = () => raft?.status().leader ?? null;
  // The leader first: agents heartbeat to the first manager that answers, and only the leader's dispatcher does.
  const managers = (): RemoteManager[] =>
    store
      .view((tx) => tx.find("nodes"))
      .flatMap((node) => (node.ManagerStatus ? [{ NodeID: node.ID, Addr: node.ManagerStatus.Addr }] : []))
      .sort((a, b) => Number(b.NodeID === leaderId()) - Number(a.NodeID === leaderId()));
  const logBroker = new LogBroker({ store, logger, isLeader: () => leaderId() === state.nodeId });
  const dispatcher = new Dispatcher({ store, clusterId: state.clusterId, selfId: state.nodeId, clock: deps.clock, logger, managers, isLeader: () => leaderId() === state.nodeId });
  let membership: RaftMembership | undefined;
  let nodeAgent: NodeAgentHandle | null = null;
  let server: TransportServer | undefined;
  try {
    const signer = await openSigningCa({ certificatePem: material.ca, keyPem: caKeyPem });
    const managerSecrets = { caKeyPem, dataKey };
    const ca = new CaServer({ store, clusterId: state.clusterId, rootCaPem: material.ca, signer, managerSecrets, clock: deps.clock, logger, managers });
    raft = await RaftNode.start({
      id: state.nodeId,
      storage,
      clock: deps.clock,
      stateMachine: store,
      transport: link,
      tickMs: deps.tickMs,
      logger: logger.with({ module: "raft" }),
      ...(raftStart ? { start: raftStart } : {}),
    });
    const node = raft;
    link.attach(node);
    node.onStateChange = (status) => {
      if (status.leader !== state.nodeId) logBroker.stop();
    };
    node.onFatal = (error) => logger.error("raft failed; the manager stops serving writes", { error: String(error) });
    store.setProposer((data) => propose(node, link, data, deps.clock));
    membership = new RaftMembership({
      store,
      raft: node,
      clock: deps.clock,
      logger,
      lastHeardFrom: (member) => link.lastHeardFrom(member),
      onDemoted: () => hooks.onDemoted(),
      connect: (member, timeoutMs) => link.connect(member, timeoutMs),
    });
    link.onMessage = membership.heardFrom.bind(membership); // a learner's answer may let the leader promote it at once
    server = new TransportServer({
      material,
      rpc: logBroker.register(dispatcher.register(ca.register(link.register(new RpcServer({ clock: deps.clock, logger }))))),
      // A silent peer (host gone without closing its sockets) is dropped within 4 s: the dispatcher then marks its node down.
      limits: { keepaliveIntervalMs: SESSION_KEEPALIVE_INTERVAL_MS, keepaliveTimeoutMs: SESSION_KEEPALIVE_TIMEOUT_MS },
      clock: deps.clock,
      logger,
      verifyPeer: (peer) => {
        if (peer.clusterId !== state.clusterId) throw new ShoalError("permission_denied", `peer ${peer.nodeId} belongs to another swarm (${peer.clusterId})`);
      },
    });
    try {
      await server.listen(state.addresses.listenPort, state.addresses.listenHost);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const listen = `${state.addresses.listenHost}:${state.addresses.listenPort}`;
      throw new ShoalError(
        code === "EADDRINUSE" || code === "EADDRNOTAVAIL" || code === "EACCES" ? "invalid_argument" : "internal",
        `cannot listen on ${listen} for the swarm (${code ?? String(error)}): ${code === "EADDRINUSE" ? "the port is in use; free it or choose another with --listen-addr" : "choose another --listen-addr"}`,
        { cause: error },
      );
    }
    const voters = node.status().membership.voters;
    if (!raftStart && voters.length === 1 && voters[0] === state.nodeId) node.campaign();
    // The node's agent starts first: a manager demoted (and taken out of raft) while it was down finds
    // no raft leader, but the leader's dispatcher tells its agent that it is a worker now.
    let demotion: { managers: RemoteManager[] } | null = null;
    let started = false;
    nodeAgent =
      deps.startNodeAgent?.({
        nodeId: state.nodeId,
        clusterId: state.clusterId,
        material: () => material,
        managers,
        onRole: (role, heard) => {
          if (role === "worker" && !started && heard.length > 0) demotion = { managers: heard };
        },
      }) ?? null;
    await waitForLeader(node, deps.clock, () => demotion !== null);
    started = true;
    if (demotion) {
      logger.warn("this manager was demoted while it was down; it continues as a worker", { "node.id": state.nodeId });
      const lock = new ManagerLock({ dataRoot: deps.dataRoot, store, clusterId: state.clusterId, dataKey, unlockKey, logger });
      const leaderLoops = new LeaderLoops({ probe: () => false, make: () => [], clock: deps.clock, logger });
      return { state, store, raft: node, storage, server, link, dispatcher, membership, lock, nodeAgent, demotion, leaderLoops, stopEvents: new AbortController(), logBroker, hooks };
    }
    dispatcher.start();
    membership.start();
    const lock = new ManagerLock({ dataRoot: deps.dataRoot, store, clusterId: state.clusterId, dataKey, unlockKey, logger });
    lock.start();
    const leaderLoops = new LeaderLoops({ probe: () => leadsUpToDate(node), make: () => (deps.orchestration === false ? [] : leaderLoopsOf(store, state.clusterId, deps.clock, logger)), clock: deps.clock, logger });
    leaderLoops.start();
    const stopEvents = new AbortController();
    if (deps.onClusterEvent) void forwardClusterEvents(store, deps.onClusterEvent, stopEvents.signal, logger);
    return { state, store, raft: node, storage, server, link, dispatcher, membership, lock, nodeAgent, demotion: null, leaderLoops, stopEvents, logBroker, hooks };
  } catch (error) {
    await nodeAgent?.stop().catch(() => {});
    membership?.stop();
    dispatcher.stop();
    raft?.stop();
    await server?.close(0).catch(() => {});
    link.close();
    store.close();
    await storage.close();
    throw error;
  }
}

/**
 * Starts the manager stored under the data root (state.json, certificates, CA key), opening its keys with
 * `unlockKey` when autolock sealed them; `addresses` replace the stored ones.
 */
async function startFromDisk(deps: ManagerDeps, raftStart: RaftStart | null, addresses: SwarmAddresses | null, unlockKey: string | null): Promise<Running> {
  const stored = await readSwarmState(deps.dataRoot);
  const state: SwarmState = addresses ? { ...stored, addresses } : stored;
  const { credentials, caKeyPem } = await openManagerSecrets(deps.dataRoot, unlockKey);
  const material = { key: credentials.keyPem, cert: credentials.certificatePem, ca: credentials.rootCaBundlePem };
  return start(deps, state, material, credentials.dataKey, raftStart, caKeyPem, unlockKey);
}

/** Passes every change of the objects docker reports to `emit`, as docker events, until `signal`. */
async function forwardClusterEvents(store: ClusterStore, emit: (event: ClusterEvent) => void, signal: AbortSignal, logger: Logger): Promise<void> {
  try {
    for await (const change of store.watch({ table: ["nodes", "services", "networks", "secrets", "configs"], signal })) {
      if (change.kind === "commit") continue;
      const event = clusterEventOf(change, Date.now() * 1e6);
      if (event) emit(event);
    }
  } catch (error) {
    if (!signal.aborted) logger.warn("cluster events stopped", { error: toShoalError(error).message });
  }
}

/** The loops the leader runs, made anew for each term of leadership. */
function leaderLoopsOf(store: ClusterStore, clusterId: string, clock: Clock, logger: Logger): LeaderLoop[] {
  const updater = new RollingUpdater({ store, clock, logger });
  return [new TaskAllocator({ store, logger }), new Scheduler({ store, clock, logger }), new Orchestration({ store, clock, logger, clusterId, updater })];
}

/**
 * Waits for a leader; on the leader, until an entry of its own term committed (so all earlier ones
 * did) and applied. Gives up early, without error, once `giveUp` says so.
 */
async function waitForLeader(raft: RaftNode, clock: Clock, giveUp: () => boolean = () => false): Promise<void> {
  const deadline = clock.now() + LEADER_TIMEOUT_MS;
  const ready = () => {
    const status = raft.status();
    if (status.leader === null) return false;
    if (status.leader === raft.id && raft.logTerm(status.commit) !== status.term) return false;
    return status.applied >= status.commit;
  };
  while (!ready()) {
    if (giveUp()) return;
    if (clock.now() > deadline) throw new ShoalError("unavailable", `no raft leader after ${LEADER_TIMEOUT_MS / 1000} s; the swarm's managers cannot reach each other`);
    await sleep(clock, 10);
  }
}

/**
 * On a joining manager: until this node's own Node object has been replicated here and raft made it
 * a voter by a committed entry. Raft's membership here follows the log, committed or not: the entry
 * that made this node a voter is at most the last index of the log when it first showed it, and is
 * committed once the commit index (which the leader sends on at once) reaches that.
 */
async function waitForMembership(running: Running, clock: Clock): Promise<void> {
  const deadline = clock.now() + LEADER_TIMEOUT_MS * 2;
  const self = running.state.nodeId;
  let voterBy: number | null = null;
  for (;;) {
    const status = running.raft.status();
    voterBy = status.membership.voters.includes(self) ? (voterBy ?? running.raft.logLastIndex) : null;
    if (voterBy !== null && status.commit >= voterBy && running.store.view((tx) => tx.get("nodes", self))) return;
    if (clock.now() > deadline) throw new ShoalError("unavailable", "the swarm's leader did not add this manager to raft in time; check that the managers can reach each other");
    await sleep(clock, 10);
  }
}

async function stopRunning(running: Running, ending?: "restart" | "leave"): Promise<void> {
  await running.lock.stop();
  await running.nodeAgent?.stop(ending).catch(() => {});
  running.stopEvents.abort();
  running.logBroker.stop();
  await running.leaderLoops.stop();
  running.membership.stop();
  running.dispatcher.stop();
  await running.raft.flushCommitIndex().catch(() => {}); // what this manager applied survives a restart or a forced new cluster
  running.raft.stop();
  await running.server.close(200).catch(() => {});
  running.link.close();
  running.store.close();
  await running.storage.close();
}
