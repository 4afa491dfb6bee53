import type { RaftNode } from "../raft/index.ts";

/**
 * True on a leader whose store holds everything earlier leaders committed: it applied an entry of its
 * own term (so every earlier entry too). The leader's loops start on it and stop when it turns false,
 * so it must hold for the whole term: entries committed but not applied yet are this leader's own
 * writes on their way, and were that lag counted, every busy moment would stop and restart the loops.
 */
export function leadsUpToDate(raft: Pick<RaftNode, "id" | "status" | "logTerm">): boolean {
  const status = raft.status();
  return status.leader === raft.id && raft.logTerm(status.applied) === status.term;
}
