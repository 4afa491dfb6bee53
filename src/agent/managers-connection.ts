import { ShoalError, type Clock, type Logger } from "../lib/index.ts";
import type { RemoteManager } from "../manager/index.ts";
import { ConnectionPool, FailoverClient, type DialCredentials } from "../transport/index.ts";

/** Connections from a node to its swarm's managers, and a client that fails over between them. */
export interface ManagersConnection {
  pool: ConnectionPool;
  client: FailoverClient;
}

/**
 * Dials the managers of swarm `clusterId` with this node's credentials (mutual TLS; only a manager
 * of this swarm is accepted as server), backing off from 100 ms to 8 s, in the order `managers` gives.
 */
export function connectToManagers(options: { credentials: () => DialCredentials; clusterId: string; managers: () => readonly RemoteManager[]; clock: Clock; logger: Logger }): ManagersConnection {
  const pool = new ConnectionPool({
    credentials: options.credentials,
    clock: options.clock,
    logger: options.logger,
    backoff: { initialMs: 100, maxMs: 8000 },
    verifyServer: (peer) => {
      if (peer.role !== "manager" || peer.clusterId !== options.clusterId) throw new ShoalError("permission_denied", `${peer.nodeId} is not a manager of this swarm`);
    },
  });
  const client = new FailoverClient(pool, () => options.managers().map((manager) => manager.Addr), options.clock);
  return { pool, client };
}
