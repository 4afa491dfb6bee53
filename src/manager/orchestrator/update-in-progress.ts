import type { Service } from "../../types/index.ts";

/** True while the service's UpdateStatus says an update or rollback runs: the updater must see it through even with no dirty slot left. */
export function updateInProgress(service: Service): boolean {
  return service.UpdateStatus?.State === "updating" || service.UpdateStatus?.State === "rollback_started";
}
