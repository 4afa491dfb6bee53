import { ShoalError, sleep, type Clock } from "../lib/index.ts";
import type { RaftNode } from "../raft/index.ts";
import { FORWARD_TIMEOUT_MS, type RaftLink } from "./raft-link.ts";

/**
 * Where the store's writes go: raft on the leader; from a follower, to the leader over the managers'
 * transport (`Raft.ProposeForward`), then until this member has applied the entry too, so that a
 * read after the write sees it here.
 */
export async function propose(node: RaftNode, link: RaftLink, data: Uint8Array, clock: Clock): Promise<unknown> {
  const leader = node.status().leader;
  if (leader === node.id) return node.propose(data, { timeoutMs: FORWARD_TIMEOUT_MS });
  if (leader === null) throw new ShoalError("unavailable", "the swarm has no raft leader at the moment (a quorum of managers is needed); try again");
  const result = await link.forward(leader, data);
  const index = (result as { index?: unknown } | null)?.index;
  if (typeof index !== "number") return result;
  const deadline = clock.now() + FORWARD_TIMEOUT_MS;
  while (node.status().applied < index) {
    if (clock.now() > deadline) throw new ShoalError("deadline_exceeded", `the leader applied the write at index ${index}, but this manager has not caught up yet`);
    await sleep(clock, 5);
  }
  return result;
}

