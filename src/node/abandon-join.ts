import type { ManagerMembership } from "../agent/index.ts";
import { ShoalError, toShoalError, type Clock, type Logger } from "../lib/index.ts";
import { AbandonJoin } from "../manager/index.ts";
import { RpcClient, dial } from "../transport/index.ts";

/** How long telling one manager may take. */
const CALL_TIMEOUT_MS = 5000;

/**
 * After a join with the manager token whose manager then failed to start (it could not listen, or
 * was not added to raft in time): tells the swarm to forget this node (`NodeCA.AbandonJoin`, with
 * the certificate the join gave it), trying each manager the join named. Best effort: when none can
 * be told, it logs how to remove the node by hand.
 */
export async function abandonJoin(deps: { clock: Clock; logger: Logger }, membership: ManagerMembership): Promise<void> {
  const log = deps.logger.with({ module: "swarm", "node.id": membership.nodeId });
  let lastError: ShoalError | undefined;
  for (const manager of membership.managers) {
    try {
      const { session } = await dial(manager.Addr, {
        credentials: { ca: membership.rootCaPem, key: membership.keyPem, cert: membership.certificatePem },
        clock: deps.clock,
        logger: deps.logger,
        timeoutMs: CALL_TIMEOUT_MS,
        verifyServer: (peer) => {
          if (peer.role !== "manager" || peer.clusterId !== membership.clusterId) throw new ShoalError("permission_denied", `${manager.Addr} is not a manager of this swarm`);
        },
      });
      try {
        await new RpcClient(session, deps.clock).call(AbandonJoin, {}, { timeoutMs: CALL_TIMEOUT_MS });
      } finally {
        session.close();
      }
      log.info("the join failed; the swarm forgot this node", { manager: manager.Addr });
      return;
    } catch (error) {
      lastError = toShoalError(error);
    }
  }
  log.warn("the join failed and no manager could be told: on a manager, demote and remove this node (node demote, node rm)", { error: lastError?.message ?? "no managers known" });
}
