/** The texts Docker's daemon answers swarm calls with (moby `daemon/cluster/errors.go`): the CLI output is a contract. */

/** `GET /swarm`, `/nodes`… on a node that is in no swarm. */
export const NOT_A_MANAGER_MESSAGE =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/** `POST /swarm/init` or `/swarm/join` on a node that is already in a swarm. */
export const ALREADY_IN_SWARM_MESSAGE = 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';

/** `POST /swarm/leave` on a node that is in no swarm. */
export const NOT_IN_SWARM_MESSAGE = "This node is not part of a swarm";

/** `POST /swarm/leave` without force on the last manager. */
export const LEAVE_LAST_MANAGER_MESSAGE =
  "You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.";

/** `GET /swarm`, `/nodes`… on a worker. */
export const WORKER_NOT_MANAGER_MESSAGE =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";


/** `GET /nodes`, `/swarm`… on a manager whose raft group has no leader (too few managers online). */
export const NO_LEADER_MESSAGE =
  "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
