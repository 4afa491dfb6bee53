import { ShoalError, newId, type Clock, type Logger } from "../lib/index.ts";
import { INVALID_JOIN_TOKEN_MESSAGE, issueNodeCertificate, roleForJoinToken, type SigningCa } from "../pki/index.ts";
import type { ClusterStore } from "../store/index.ts";
import type { RpcServer } from "../transport/index.ts";
import type { NodeAvailability } from "../types/index.ts";
import { nodeCertValidityMs } from "./cluster-spec.ts";
import {
  AbandonJoin,
  GetRootCACertificate,
  IssueManagerMaterial,
  IssueNodeCertificate,
  type IssueManagerMaterialRequest,
  type IssueManagerMaterialResponse,
  type IssueNodeCertificateRequest,
  type IssueNodeCertificateResponse,
  type RemoteManager,
} from "./swarm-protocol.ts";
import { tlsInfoOf } from "./tls-info.ts";

/** The refusal of a manager token from a node that cannot take the manager role (it sent no raft address). */
export const MANAGER_JOIN_UNSUPPORTED_MESSAGE = "this node cannot join as a manager (its daemon sent no manager address): join with the worker token (docker swarm join-token worker)";

const AVAILABILITIES: readonly string[] = ["active", "pause", "drain"];

/** What the CA server needs from its manager. */
export interface CaServerOptions {
  store: ClusterStore;
  clusterId: string;
  /** The trust bundle served to joining nodes (the exact bytes their token's digest covers). */
  rootCaPem: string;
  signer: SigningCa;
  /** The root CA's key and the raft data key, handed to a node joining with the manager token (over TLS, server pinned by the token). */
  managerSecrets: { caKeyPem: string; dataKey: Uint8Array };
  clock: Clock;
  logger: Logger;
  /** The managers a new node may talk to. */
  managers: () => RemoteManager[];
}

/**
 * The manager's CA service (SwarmKit's `NodeCA`): hands out the root CA for pinning and turns a join
 * token and a CSR into a node certificate and a Node object. Both methods take callers without a
 * certificate: a joining node has none yet, the token is what lets it in.
 */
export class CaServer {
  readonly #options: CaServerOptions;
  readonly #log: Logger;

  constructor(options: CaServerOptions) {
    this.#options = options;
    this.#log = options.logger.with({ module: "ca" });
  }

  /** Serves the CA methods on `rpc`. */
  register(rpc: RpcServer): RpcServer {
    return rpc
      .unary(GetRootCACertificate, () => ({ certificatePem: this.#options.rootCaPem }))
      .unary(IssueNodeCertificate, (request) => this.issue(request))
      .unary(IssueManagerMaterial, (request, context) => this.issueManagerMaterial(context.peer!.nodeId, request))
      .unary(AbandonJoin, async (_request, context) => {
        await this.abandonJoin(context.peer!.nodeId);
        return {};
      });
  }

  /**
   * A node whose join failed after {@link issue} recorded it (its manager could not start: it could not
   * listen, or did not catch up in time) asks, with the certificate it was given, to be forgotten: its
   * Node goes, and the leader's membership loop removes a raft member that has no Node. Nothing when
   * the node is gone already.
   */
  async abandonJoin(nodeId: string): Promise<void> {
    const removed = await this.#options.store.update((tx) => {
      if (!tx.get("nodes", nodeId)) return false;
      tx.delete("nodes", nodeId);
      return true;
    });
    if (removed) this.#log.info("node abandoned its failed join: removed", { "node.id": nodeId });
  }

  /**
   * A promoted worker (`nodeId`: its certificate's CN) asks for its manager material: refused unless
   * the store says its Spec.Role is manager; signs a manager certificate for the same node ID, records
   * its raft address (the leader's membership loop then adds it as a learner) and hands over the CA
   * key and the raft data key, as to a node joining with the manager token.
   */
  async issueManagerMaterial(nodeId: string, request: IssueManagerMaterialRequest): Promise<IssueManagerMaterialResponse> {
    const { store, clusterId, rootCaPem } = this.#options;
    if (typeof request !== "object" || request === null || typeof request.csrPem !== "string") throw new ShoalError("invalid_argument", "invalid promotion request: csrPem must be a string");
    if (typeof request.managerAddr !== "string" || !/:\d+$/.test(request.managerAddr)) throw new ShoalError("invalid_argument", "invalid promotion request: managerAddr must be host:port");
    const cluster = store.view((tx) => tx.get("cluster", clusterId));
    if (!cluster) throw new ShoalError("unavailable", "the cluster object is not in the store yet; try again");
    const node = store.view((tx) => tx.get("nodes", nodeId));
    if (!node) throw new ShoalError("not_found", `node ${nodeId} is not a member of this swarm`);
    if (node.Spec.Role !== "manager") throw new ShoalError("permission_denied", `node ${nodeId} has not been promoted to a manager`);
    const issued = await issueNodeCertificate(this.#options.signer, request.csrPem, {
      nodeId,
      role: "manager",
      clusterId,
      clock: this.#options.clock,
      validityMs: nodeCertValidityMs(cluster.Spec),
    });
    await store.update((tx) => {
      const current = tx.get("nodes", nodeId);
      if (!current || current.Spec.Role !== "manager") throw new ShoalError("permission_denied", `node ${nodeId} has not been promoted to a manager`);
      tx.update("nodes", { ...current, ManagerStatus: { Leader: false, Reachability: "reachable", Addr: request.managerAddr } });
    });
    this.#log.info("promoted node fetched its manager material", { "node.id": nodeId, addr: request.managerAddr });
    return { certificatePem: issued.chainPem, rootCaPem, managers: this.#options.managers(), ...this.#options.managerSecrets };
  }

  /** Checks the token, signs the CSR for a new node ID and records the node, ready. */
  async issue(request: IssueNodeCertificateRequest): Promise<IssueNodeCertificateResponse> {
    const { store, clusterId, rootCaPem } = this.#options;
    checkRequest(request);
    const cluster = store.view((tx) => tx.get("cluster", clusterId));
    if (!cluster) throw new ShoalError("unavailable", "the cluster object is not in the store yet; try again");
    let role;
    try {
      role = roleForJoinToken(request.token, { tokens: { worker: cluster.JoinTokens.Worker, manager: cluster.JoinTokens.Manager }, rootCaBundlePem: rootCaPem });
    } catch (error) {
      this.#log.info("join refused: invalid token", { hostname: request.hostname });
      throw new ShoalError("invalid_argument", INVALID_JOIN_TOKEN_MESSAGE, { cause: error });
    }
    if (role === "manager" && !request.managerAddr) throw new ShoalError("unimplemented", MANAGER_JOIN_UNSUPPORTED_MESSAGE);
    const nodeId = newId();
    const issued = await issueNodeCertificate(this.#options.signer, request.csrPem, {
      nodeId,
      role,
      clusterId,
      clock: this.#options.clock,
      validityMs: nodeCertValidityMs(cluster.Spec),
    });
    await store.update((tx) => {
      tx.create("nodes", {
        ID: nodeId,
        Spec: { Labels: {}, Role: role, Availability: (request.availability || "active") as NodeAvailability, Membership: "accepted" },
        Description: {
          Hostname: request.hostname,
          Platform: request.platform,
          Resources: request.resources,
          Engine: { EngineVersion: request.engineVersion },
          TLSInfo: tlsInfoOf(rootCaPem),
        },
        Status: { State: "ready", Addr: hostOf(request.advertiseAddr) },
        // A manager's raft address: the leader's membership loop adds it as a learner from this.
        ...(role === "manager" ? { ManagerStatus: { Leader: false, Reachability: "reachable" as const, Addr: request.managerAddr! } } : {}),
      });
    });
    this.#log.info("node joined", { "node.id": nodeId, role, hostname: request.hostname, addr: request.advertiseAddr });
    const answer: IssueNodeCertificateResponse = { nodeId, certificatePem: issued.chainPem, rootCaPem, managers: this.#options.managers(), role };
    return role === "manager" ? { ...answer, ...this.#options.managerSecrets } : answer;
  }
}

function checkRequest(request: IssueNodeCertificateRequest): void {
  const bad = (what: string) => new ShoalError("invalid_argument", `invalid join request: ${what}`);
  if (typeof request !== "object" || request === null) throw bad("not an object");
  if (typeof request.csrPem !== "string" || typeof request.token !== "string") throw bad("csrPem and token must be strings");
  if (typeof request.hostname !== "string" || typeof request.engineVersion !== "string" || typeof request.advertiseAddr !== "string") {
    throw bad("hostname, engineVersion and advertiseAddr must be strings");
  }
  if (typeof request.platform?.Architecture !== "string" || typeof request.platform?.OS !== "string") throw bad("platform needs Architecture and OS");
  if (typeof request.resources !== "object" || request.resources === null) throw bad("resources must be an object");
  if (request.managerAddr !== undefined && (typeof request.managerAddr !== "string" || !/:\d+$/.test(request.managerAddr))) throw bad("managerAddr must be host:port");
  if (request.availability !== undefined && !AVAILABILITIES.includes(request.availability)) throw bad("availability must be active, pause or drain");
}

/** The IP of `ip`, `ip:port` or `[v6]:port`. */
export function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const parts = address.split(":");
  return parts.length === 2 ? parts[0]! : address;
}
