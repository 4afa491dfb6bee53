import type { Slot } from "./service-updater.ts";

/**
 * Orders a replicated service's slots from the one to keep most to the one to remove first
 * (SwarmKit's scale-down choice): slots whose task is not running yet go before running ones, and
 * among the rest, the slots on the nodes holding the most copies of the service go first, so what
 * stays is spread evenly. Ties keep the lower slot numbers (the first replicas of stateful services).
 */
export function slotsInKeepOrder(slots: readonly Slot[]): Slot[] {
  const byRunning = [...slots].sort((a, b) => Number(isRunningSlot(b)) - Number(isRunningSlot(a)) || slotNumber(a) - slotNumber(b));
  const copiesOnNode = new Map<string, number>();
  const ranked = byRunning.map((slot) => {
    const nodeId = slot.length === 1 ? slot[0]!.NodeID : undefined;
    if (!nodeId) return { slot, copy: Number.POSITIVE_INFINITY };
    const copy = (copiesOnNode.get(nodeId) ?? 0) + 1;
    copiesOnNode.set(nodeId, copy);
    return { slot, copy };
  });
  return ranked.sort((a, b) => (a.copy === b.copy ? 0 : a.copy - b.copy)).map((entry) => entry.slot);
}

function isRunningSlot(slot: Slot): boolean {
  return slot.some((task) => task.Status.State === "running");
}

function slotNumber(slot: Slot): number {
  return slot[0]?.Slot ?? 0;
}
