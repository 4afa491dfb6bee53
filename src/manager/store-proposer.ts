import { ShoalError, sleep, type Clock } from "../lib/index.ts";
import type { RaftNode } from "../raft/index.ts";
import { FORWARD_TIMEOUT_MS, type RaftLink } from "./raft-link.ts";

/**
 * Where the store's writes go: raft on the leader; from a follower, to the leader over the managers'
 * transport (`Raft.ProposeForward`), then until this member has applied the entry too, so that a
 * read after the write sees it here.
 */
const TIMING = process.env.SHOAL_PROPOSAL_TIMING ? { n: 0, bytes: 0, busy: 0, max: 0, since: performance.now(), inflight: 0, overlap: 0 } : null;
export async function propose(node: RaftNode, link: RaftLink, data: Uint8Array, clock: Clock): Promise<unknown> {
  const leader = node.status().leader;
  if (leader === node.id && TIMING) {
    const t = performance.now();
    TIMING.inflight++;
    if (TIMING.inflight > 1) TIMING.overlap++;
    try {
      return await node.propose(data, { timeoutMs: FORWARD_TIMEOUT_MS });
    } finally {
      TIMING.inflight--;
      const ms = performance.now() - t;
      TIMING.n++; TIMING.bytes += data.length; TIMING.busy += ms; TIMING.max = Math.max(TIMING.max, ms);
      const wall = performance.now() - TIMING.since;
      if (wall > 5000) {
        console.error(`PROPOSALS ${new Date().toISOString()} n=${TIMING.n} MiB=${(TIMING.bytes / 2 ** 20).toFixed(1)} avgKiB=${(TIMING.bytes / 1024 / TIMING.n).toFixed(0)} meanMs=${(TIMING.busy / TIMING.n).toFixed(0)} maxMs=${TIMING.max.toFixed(0)} busy=${((100 * TIMING.busy) / wall).toFixed(0)}% overlap=${TIMING.overlap}`);
        Object.assign(TIMING, { n: 0, bytes: 0, busy: 0, max: 0, since: performance.now(), overlap: 0 });
      }
    }
  }
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

