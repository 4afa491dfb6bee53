import { createSocket } from "node:dgram";
import { ShoalError, toShoalError, type Clock, type Logger } from "../lib/index.ts";
import { createNodeKeyAndCsr, loadNodeCredentials, saveNodeCredentials, saveRootCaBundle, verifyRemoteRootCa } from "../pki/index.ts";
import { RpcClient, dial, parseAddress, type ConnectionPool, type DialCredentials, type FailoverClient } from "../transport/index.ts";
import type { LocalNodeFacts, RemoteManager } from "../manager/index.ts";
import type { NodeAvailability, SwarmInfo } from "../types/index.ts";
import { hasWorkerState, readWorkerState, removeWorkerState, writeWorkerState, type WorkerState } from "./agent-state.ts";
import { AgentSession, CALL_TIMEOUT_MS } from "./agent-session.ts";
import { connectToManagers } from "./managers-connection.ts";
import { GetRootCACertificate, IssueManagerMaterial, IssueNodeCertificate } from "./swarm-protocol.ts";
import type { TaskExecutor } from "./task-executor.ts";

/** What an agent needs from the node. */
export interface AgentDeps {
  dataRoot: string;
  clock: Clock;
  logger: Logger;
  /** Runs the tasks the managers assign to this node (none: the node only keeps its session). */
  executor?: TaskExecutor | null;
}

/** A checked `swarm join`. */
export interface JoinOptions {
  /** `HOST:PORT` of managers to try, in order. */
  remoteAddrs: string[];
  joinToken: string;
  /** The IP to advertise; empty: the address this node reaches the manager from. */
  advertiseHost: string;
  availability?: NodeAvailability;
  facts: LocalNodeFacts;
  /** The port other managers reach this node's raft at, should the token make it a manager; without it a manager token is refused. */
  managerPort?: number;
  /** The `--listen-addr` given (kept for a manager should this worker be promoted). */
  listenAddr?: string;
}

/** What a manager token brought: everything the node needs to start its manager (nothing stored yet). */
export interface ManagerMembership {
  nodeId: string;
  clusterId: string;
  /** The IP this node advertises (given, or the one that reaches the manager). */
  advertiseHost: string;
  keyPem: string;
  certificatePem: string;
  rootCaPem: string;
  caKeyPem: string;
  dataKey: Uint8Array;
  managers: RemoteManager[];
}

/** How a join turned out: a running worker agent, or the material for the node's manager. */
export type JoinOutcome = { role: "worker"; agent: Agent } | { role: "manager"; membership: ManagerMembership };

/** The gRPC status names Docker's daemon shows manager errors with (`rpc error: code = X desc = …`). */
const GRPC_CODES: Record<string, string> = {
  not_found: "NotFound",
  already_exists: "AlreadyExists",
  invalid_argument: "InvalidArgument",
  failed_precondition: "FailedPrecondition",
  permission_denied: "PermissionDenied",
  unavailable: "Unavailable",
  deadline_exceeded: "DeadlineExceeded",
  unimplemented: "Unimplemented",
  internal: "Internal",
};

/** A manager's answer as Docker's daemon words it. */
function managerError(error: unknown): ShoalError {
  const shoal = toShoalError(error);
  return new ShoalError(shoal.code, `rpc error: code = ${GRPC_CODES[shoal.code] ?? "Unknown"} desc = ${shoal.message}`, { cause: error });
}

/**
 * The worker role of a node (SwarmKit's agent, this slice: the session is a heartbeat): `join` gets a
 * certificate from a manager against the join token, `restart` comes back from disk, and while it runs
 * it heartbeats to the managers over mutual TLS, failing over between them.
 */
export class Agent {
  readonly #deps: AgentDeps;
  readonly #log: Logger;
  #state: WorkerState;
  readonly #pool: ConnectionPool;
  readonly #client: FailoverClient;
  readonly #stopped = new AbortController();
  #session: AgentSession | null = null;
  #stopping: Promise<void> | undefined;
  #onPromoted: (() => Promise<void>) | null = null;
  #promoting = false;

  private constructor(deps: AgentDeps, state: WorkerState, credentials: DialCredentials) {
    this.#deps = deps;
    this.#state = state;
    this.#log = deps.logger.with({ module: "agent", "node.id": state.nodeId });
    const connection = connectToManagers({ credentials: () => credentials, clusterId: state.clusterId, managers: () => this.#state.managers, clock: deps.clock, logger: deps.logger });
    this.#pool = connection.pool;
    this.#client = connection.client;
  }

  /** True when `dataRoot` holds a worker membership to rejoin. */
  static hasState(dataRoot: string): boolean {
    return hasWorkerState(dataRoot);
  }

  /** Erases a worker state that cannot be restarted. */
  static eraseState(dataRoot: string): Promise<void> {
    return removeWorkerState(dataRoot);
  }

  /**
   * Joins the swarm as a worker: pins the managers' root CA to the token's digest, gets a certificate
   * for a new key, stores it and the membership, and starts heartbeating. On failure nothing is left on disk.
   */
  static async join(deps: AgentDeps, options: JoinOptions): Promise<Agent> {
    const outcome = await Agent.joinSwarm(deps, { ...options, managerPort: undefined });
    if (outcome.role !== "worker") throw new ShoalError("internal", "a manager answered a worker join with manager material");
    return outcome.agent;
  }

  /**
   * Joins the swarm with whatever role the token gives: as a worker it stores the membership and
   * starts heartbeating; as a manager (`options.managerPort` set) it returns the certificate, the CA
   * key and the raft data key for the node to start its manager with, storing nothing.
   */
  static async joinSwarm(deps: AgentDeps, options: JoinOptions): Promise<JoinOutcome> {
    if (options.remoteAddrs.length === 0) throw new ShoalError("invalid_argument", "give the address of a manager to join (HOST:PORT)");
    let lastError: ShoalError | undefined;
    for (const address of options.remoteAddrs) {
      try {
        return await joinThrough(deps, address, options);
      } catch (error) {
        lastError = toShoalError(error);
        if (lastError.code !== "unavailable" && lastError.code !== "deadline_exceeded") break;
      }
    }
    await removeWorkerState(deps.dataRoot).catch(() => {});
    throw lastError!;
  }

  /** Rejoins the session of the membership stored under the data root. */
  static async restart(deps: AgentDeps): Promise<Agent> {
    const state = await readWorkerState(deps.dataRoot);
    const credentials = await loadNodeCredentials(deps.dataRoot);
    const agent = Agent.resume(deps, state, { ca: credentials.rootCaBundlePem, key: credentials.keyPem, cert: credentials.certificatePem });
    agent.#log.info("agent restarted", { "cluster.id": state.clusterId });
    return agent;
  }

  /**
   * A demoted manager continues as a worker of the same swarm: it keeps its node ID, certificate and
   * key (managers accept any node of the swarm for heartbeats), stores the worker membership and
   * starts heartbeating to the other managers.
   */
  static async continueAsWorker(deps: AgentDeps, state: WorkerState): Promise<Agent> {
    await writeWorkerState(deps.dataRoot, state);
    const agent = await Agent.restart(deps);
    agent.#log.info("continuing as a worker after demotion", { "cluster.id": state.clusterId });
    return agent;
  }

  /** Starts the session of a membership whose credentials are at hand (after join, or read from disk). */
  static resume(deps: AgentDeps, state: WorkerState, credentials: DialCredentials): Agent {
    const agent = new Agent(deps, state, credentials);
    agent.#session = new AgentSession({
      nodeId: state.nodeId,
      pool: agent.#pool,
      client: agent.#client,
      managers: () => agent.#state.managers,
      clock: deps.clock,
      logger: deps.logger,
      executor: deps.executor ?? null,
      onManagers: (managers) => agent.#noteManagers(managers),
      onRole: (role) => {
        if (role === "manager") agent.#promoted();
      },
    }).start();
    return agent;
  }

  get nodeId(): string {
    return this.#state.nodeId;
  }

  /** The membership this agent runs (node, cluster, advertised IP, managers, listen address). */
  get state(): WorkerState {
    return this.#state;
  }

  /**
   * Called (not awaited by the session, one at a time) when a heartbeat answer says this node's role
   * is manager: the node then fetches its manager material and starts its manager. A failure is left
   * to the callback to log; the next heartbeat tries again.
   */
  set onPromoted(callback: (() => Promise<void>) | null) {
    this.#onPromoted = callback;
  }

  /**
   * After a promotion: asks the managers, over this node's mutual-TLS session, for a manager
   * certificate for a new key (same node ID), the CA key, the raft data key and the managers, for
   * `Manager.join`. Stores nothing.
   */
  async fetchManagerMaterial(managerAddr: string): Promise<ManagerMembership> {
    const { keyPem, csrPem } = await createNodeKeyAndCsr();
    let answer;
    try {
      answer = await this.#client.call(IssueManagerMaterial, { csrPem, managerAddr }, { timeoutMs: CALL_TIMEOUT_MS * 2, signal: this.#stopped.signal });
    } catch (error) {
      throw managerError(error);
    }
    const managers = answer.managers.length > 0 ? answer.managers : this.#state.managers;
    this.#log.info("promoted: got manager material", { "manager.addr": managerAddr });
    return {
      nodeId: this.#state.nodeId,
      clusterId: this.#state.clusterId,
      advertiseHost: this.#state.advertiseHost,
      keyPem,
      certificatePem: answer.certificatePem,
      rootCaPem: answer.rootCaPem,
      caKeyPem: answer.caKeyPem,
      dataKey: new Uint8Array(answer.dataKey),
      managers,
    };
  }

  /** `Info.Swarm` of this worker. */
  info(): SwarmInfo {
    return {
      NodeID: this.#state.nodeId,
      NodeAddr: this.#state.advertiseHost,
      LocalNodeState: "active",
      ControlAvailable: false,
      Error: "",
      RemoteManagers: this.#state.managers.map((manager) => ({ NodeID: manager.NodeID, Addr: manager.Addr })),
    };
  }

  /**
   * Stops the session; the membership stays on disk. `ending` tells the managers why (`restart`:
   * the daemon stops and comes back, `leave`: the node leaves); without it they see the session
   * break, as when the node dies. Idempotent.
   */
  stop(ending?: "restart" | "leave"): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#session?.stop(ending);
      this.#stopped.abort(new ShoalError("cancelled", "the agent stopped"));
      this.#pool.close();
      this.#log.info("agent stopped");
    })();
    return this.#stopping;
  }

  /** Stops and erases the membership and certificates (the managers see the heartbeats stop). */
  async leave(): Promise<void> {
    await this.stop("leave");
    await removeWorkerState(this.#deps.dataRoot);
    this.#log.info("left the swarm");
  }

  #promoted(): void {
    const callback = this.#onPromoted;
    if (!callback || this.#promoting) return;
    this.#promoting = true;
    this.#log.info("this node was promoted to a manager");
    void callback()
      .catch((error) => this.#log.warn("cannot become a manager yet; retrying after the next heartbeat", { error: toShoalError(error).message }))
      .finally(() => (this.#promoting = false));
  }

  async #noteManagers(managers: RemoteManager[]): Promise<void> {
    if (managers.length === 0) return;
    const same = JSON.stringify(managers) === JSON.stringify(this.#state.managers);
    if (same) return;
    this.#state = { ...this.#state, managers };
    await writeWorkerState(this.#deps.dataRoot, this.#state).catch((error) => this.#log.warn("cannot save the managers list", { error: String(error) }));
  }
}

/** Joins through one manager. */
async function joinThrough(deps: AgentDeps, address: string, options: JoinOptions): Promise<JoinOutcome> {
  const { clock } = deps;
  // 1. Without checking the server (it cannot be checked yet): its root CA, pinned to the token's digest.
  const anonymous = await dial(address, { credentials: { ca: null }, clock, logger: deps.logger, timeoutMs: CALL_TIMEOUT_MS });
  let rootCaPem: string;
  try {
    const answer = await new RpcClient(anonymous.session, clock).call(GetRootCACertificate, {}, { timeoutMs: CALL_TIMEOUT_MS });
    rootCaPem = verifyRemoteRootCa(options.joinToken, answer.certificatePem);
  } catch (error) {
    throw error instanceof ShoalError && error.message.startsWith("remote CA") ? error : managerError(error);
  } finally {
    anonymous.session.close();
  }
  // 2. Now checking the server against that CA: the token only goes to a manager of this swarm.
  const advertiseHost = options.advertiseHost || (await localAddressToward(address));
  const { keyPem, csrPem } = await createNodeKeyAndCsr();
  const pinned = await dial(address, {
    credentials: { ca: rootCaPem },
    clock,
    logger: deps.logger,
    timeoutMs: CALL_TIMEOUT_MS,
    verifyServer: (peer) => {
      if (peer.role !== "manager") throw new ShoalError("permission_denied", `${address} is not a swarm manager`);
    },
  });
  let issued;
  try {
    issued = await new RpcClient(pinned.session, clock).call(
      IssueNodeCertificate,
      {
        csrPem,
        token: options.joinToken,
        ...(options.availability ? { availability: options.availability } : {}),
        hostname: options.facts.hostname,
        platform: { Architecture: options.facts.architecture, OS: "linux" },
        resources: { NanoCPUs: options.facts.nanoCpus, MemoryBytes: options.facts.memoryBytes },
        engineVersion: options.facts.engineVersion,
        advertiseAddr: advertiseHost,
        ...(options.managerPort ? { managerAddr: joinHostPort(advertiseHost, options.managerPort) } : {}),
      },
      { timeoutMs: CALL_TIMEOUT_MS * 2 },
    );
  } catch (error) {
    throw managerError(error);
  } finally {
    pinned.session.close();
  }
  if (issued.role === "manager") {
    if (!issued.caKeyPem || !issued.dataKey) throw new ShoalError("internal", "the manager accepted a manager token but sent no CA key or raft data key");
    const clusterId = pinned.server?.clusterId ?? "";
    const managers = issued.managers.length > 0 ? issued.managers : [{ NodeID: pinned.server?.nodeId ?? "", Addr: address }];
    const membership: ManagerMembership = {
      nodeId: issued.nodeId,
      clusterId,
      advertiseHost,
      keyPem,
      certificatePem: issued.certificatePem,
      rootCaPem,
      caKeyPem: issued.caKeyPem,
      dataKey: new Uint8Array(issued.dataKey),
      managers,
    };
    deps.logger.info("accepted into the swarm as a manager", { module: "agent", "node.id": issued.nodeId, manager: address });
    return { role: "manager", membership };
  }
  // 3. Certificates (independent files, written side by side), then the membership (last: its presence means "in a swarm").
  await Promise.all([saveRootCaBundle(deps.dataRoot, rootCaPem), saveNodeCredentials(deps.dataRoot, { certificatePem: issued.certificatePem, keyPem, dataKey: null })]);
  const managers = issued.managers.length > 0 ? issued.managers : [{ NodeID: pinned.server?.nodeId ?? "", Addr: address }];
  const state: WorkerState = { nodeId: issued.nodeId, clusterId: pinned.server?.clusterId ?? "", advertiseHost, managers, ...(options.listenAddr ? { listenAddr: options.listenAddr } : {}) };
  await writeWorkerState(deps.dataRoot, state);
  const agent = Agent.resume(deps, state, { ca: rootCaPem, key: keyPem, cert: issued.certificatePem });
  deps.logger.info("joined the swarm as a worker", { module: "agent", "node.id": issued.nodeId, manager: address });
  return { role: "worker", agent };
}

/** `host:port`, IPv6 in brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The local IP this host reaches `address` from (a connected UDP socket sends nothing). */
function localAddressToward(address: string): Promise<string> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.once("error", (error) => {
      socket.close();
      reject(new ShoalError("invalid_argument", `cannot tell which address reaches ${address}: give one with --advertise-addr (${error.message})`));
    });
    socket.connect(port, host, () => {
      const local = socket.address().address;
      socket.close();
      resolve(local);
    });
  });
}
