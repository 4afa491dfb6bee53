import { ShoalError } from "../lib/index.ts";
import { ZERO_TIME, type ContainerRecord } from "./container-record.ts";

/** What `docker ps` filters on. */
export interface ContainerFilters {
  id?: string[];
  name?: string[];
  label?: string[];
  status?: string[];
  ancestor?: string[];
  exited?: string[];
}

const STATUSES = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

/** Docker's `ps` selection: running ones unless `all` (or a status/exited filter), then the filters, newest first, at most `limit`. */
export function filterContainers(all: readonly ContainerRecord[], options: { all?: boolean; limit?: number; filters?: ContainerFilters } = {}): ContainerRecord[] {
  const filters = options.filters ?? {};
  for (const status of filters.status ?? []) {
    if (!STATUSES.includes(status)) throw new ShoalError("invalid_argument", `invalid filter 'status=${status}'`);
  }
  const any = (values: string[] | undefined, test: (value: string) => boolean) => !values || values.length === 0 || values.some(test);
  const selected = all.filter(
    (record) =>
      (options.all || filters.status || filters.exited || record.State.Running) &&
      any(filters.id, (value) => record.Id.startsWith(value)) &&
      any(filters.name, (value) => new RegExp(value).test(record.Name.slice(1))) &&
      any(filters.status, (value) => record.State.Status === value) &&
      any(filters.exited, (value) => !record.State.Running && record.State.StartedAt !== ZERO_TIME && record.State.ExitCode === Number(value)) &&
      any(filters.ancestor, (value) => record.Config.Image === value || record.Image === value || record.Image.startsWith(`sha256:${value}`)) &&
      (filters.label ?? []).every((value) => {
        const [key, expected] = value.split("=", 2) as [string, string | undefined];
        return key in record.Config.Labels && (expected === undefined || record.Config.Labels[key] === expected);
      }),
  );
  return options.limit && options.limit > 0 ? selected.slice(0, options.limit) : selected;
}
