import { ShoalError } from "../lib/index.ts";

/** Docker's words for a node whose keys are sealed and no unlock key was given (moby `errSwarmLocked`). */
export const SWARM_LOCKED_MESSAGE = 'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.';

/** The error of a locked swarm: unavailable, as Docker answers 503, until `swarm unlock`. */
export function swarmLockedError(): ShoalError {
  return new ShoalError("unavailable", SWARM_LOCKED_MESSAGE);
}
