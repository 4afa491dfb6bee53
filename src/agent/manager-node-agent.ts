import type { NodeAgentHandle, NodeAgentStart, RemoteManager } from "../manager/index.ts";
import { AgentSession } from "./agent-session.ts";
import { connectToManagers } from "./managers-connection.ts";
import type { AgentDeps } from "./agent.ts";

/**
 * The agent of a manager node: managers run tasks too (as in SwarmKit, every node has an agent).
 * It talks to the managers' dispatcher — the leader, possibly this very manager — with the
 * manager's own certificate, and fails over between managers as a worker's agent does. Its
 * membership lives with the manager (nothing of its own on disk).
 */
export function managerNodeAgentStarter(deps: AgentDeps): NodeAgentStart {
  return (node): NodeAgentHandle => {
    const { pool, client } = connectToManagers({ credentials: node.material, clusterId: node.clusterId, managers: node.managers, clock: deps.clock, logger: deps.logger });
    let heard: RemoteManager[] = [];
    const session = new AgentSession({
      nodeId: node.nodeId,
      pool,
      client,
      managers: node.managers,
      clock: deps.clock,
      logger: deps.logger,
      executor: deps.executor ?? null,
      onManagers: (managers) => {
        heard = managers;
      },
      onRole: (role) => node.onRole?.(role, heard),
    }).start();
    return {
      async stop(ending) {
        await session.stop(ending);
        pool.close();
      },
    };
  };
}
