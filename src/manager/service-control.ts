/**
 * The managers' service and task API (SwarmKit's control API `manager/controlapi/service.go`,
 * `task.go`, with what moby's daemon adds in `daemon/cluster/services.go`, `tasks.go`, `helpers.go`):
 * what `POST /services/create`, `GET /services`, `POST /services/{id}/update`, `DELETE /services/{id}`
 * and `GET /tasks` do on a manager, over its cluster store.
 */
import { isDeepStrictEqual } from "node:util";
import { randomContainerName } from "../engine/index.ts";
import { ShoalError, type Clock } from "../lib/index.ts";
import type { ClusterStore, ReadTx, SwarmTables } from "../store/index.ts";
import { compareTaskStates, serviceModeName, type Service, type ServiceSpec, type Task } from "../types/index.ts";
import { parseServiceSpec } from "./service-spec/parse-service-spec.ts";
import { checkPortConflicts } from "./service-spec/port-conflicts.ts";
import { publicService, publicTask } from "./service-spec/public-view.ts";
import { withServiceDefaults } from "./service-spec/service-defaults.ts";
import { filterServices } from "./service-spec/service-filters.ts";
import { serviceStatus } from "./service-spec/service-status.ts";
import { checkSecretsAndConfigs, resolveNetworks } from "./service-spec/spec-references.ts";
import { filterTasks, taskName } from "./service-spec/task-filters.ts";
import { validateServiceSpec } from "./service-spec/validate-service-spec.ts";

/** What `POST /services/create` answers. */
export interface ServiceCreateResult {
  ID: string;
  Warnings?: string[];
}

/** What `POST /services/{id}/update` answers. */
export interface ServiceUpdateResult {
  Warnings?: string[];
}

/** The query and header of `POST /services/{id}/update`. */
export interface ServiceUpdateOptions {
  /** `previous` restores `PreviousSpec` (the body is checked, then ignored); `none` or nothing applies the body. */
  rollback?: string;
  /** Which stored spec's registry credentials to keep when the request sends none (default `spec`). */
  registryAuthFrom?: "spec" | "previous-spec";
  /** The request's `X-Registry-Auth`, as sent. */
  registryAuth?: string;
}

/** The swarm's text when a service's kind of mode would change. */
export const MODE_CHANGE_MESSAGE = "rpc error: code = Unimplemented desc = service mode change is not allowed";
/** The swarm's text when a service would be renamed. */
export const RENAME_MESSAGE = "rpc error: code = Unimplemented desc = renaming services is not supported";
/** `UpdateStatus.Message` of a rollback the user asked for. */
export const MANUAL_ROLLBACK_MESSAGE = "manually requested rollback";

/** How often `remove` tries again when an agent's status write to one of the tasks came first. */
const REMOVE_ATTEMPTS = 3;

function isJob(spec: ServiceSpec): boolean {
  return "ReplicatedJob" in spec.Mode || "GlobalJob" in spec.Mode;
}

/** The spec with `registryAuth` as its container's pull credentials (none when empty). */
function withRegistryAuth(spec: ServiceSpec, registryAuth: string | undefined): ServiceSpec {
  const container = spec.TaskTemplate.ContainerSpec;
  if (!container) return spec;
  const { PullOptions: _old, ...rest } = container;
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: registryAuth ? { ...rest, PullOptions: { RegistryAuth: registryAuth } } : rest } };
}

/**
 * Services and tasks on a manager: create, list (with status), inspect (with defaults), update and
 * rollback, remove; tasks listed and inspected. Specs are checked with SwarmKit's rules and texts;
 * every write is one store transaction (one raft proposal), `Version.Index` guarding updates.
 */
export class ServiceControl {
  readonly #store: ClusterStore;
  readonly #clock: Clock;

  constructor(store: ClusterStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Creates a service from a `ServiceSpec` body; `registryAuth` (X-Registry-Auth) is kept for the agents' pulls. */
  async create(body: unknown, options: { registryAuth?: string } = {}): Promise<ServiceCreateResult> {
    const spec = withRegistryAuth(this.#named(parseServiceSpec(body)), options.registryAuth);
    validateServiceSpec(spec);
    const now = this.#now();
    const service = await this.#store.update((tx) => {
      const resolved = resolveNetworks(tx, spec);
      checkPortConflicts(tx, resolved);
      checkSecretsAndConfigs(tx, resolved);
      return tx.create("services", {
        Spec: resolved,
        Endpoint: { Spec: {} },
        ...(isJob(resolved) ? { JobStatus: { JobIteration: { Index: 0 }, LastExecution: now } } : {}),
      });
    });
    return { ID: service.ID };
  }

  /** Services passing Docker's filters (id, name, label, mode, runtime); `status` fills ServiceStatus. */
  list(filters: Record<string, string[]>, options: { status?: boolean } = {}): Service[] {
    return this.#store.view((tx) =>
      filterServices(tx.find("services"), filters).map((service) => {
        const shown = publicService(service);
        return options.status ? { ...shown, ServiceStatus: serviceStatus(tx, service) } : shown;
      }),
    );
  }

  /** A service by ID, name or unique ID prefix; `insertDefaults` fills SwarmKit's defaults into its spec. */
  inspect(ref: string, options: { insertDefaults?: boolean } = {}): Service {
    const service = this.#store.view((tx) => tx.lookup("services", ref));
    const shown = publicService(service);
    return options.insertDefaults ? { ...shown, Spec: withServiceDefaults(shown.Spec) } : shown;
  }

  /**
   * Replaces a service's spec (the old one becomes `PreviousSpec`, `UpdateStatus` is cleared for the
   * updater to fill), or with `rollback: "previous"` swaps the two and marks a rollback started.
   * `version` is the `Version.Index` the caller read: a stale one is refused ("update out of sequence").
   */
  async update(ref: string, version: number, body: unknown, options: ServiceUpdateOptions = {}): Promise<ServiceUpdateResult> {
    const rollback = options.rollback ?? "";
    if (!["", "none", "previous"].includes(rollback)) throw new ShoalError("invalid_argument", `unrecognized rollback option ${rollback}`);
    const requested = this.#named(parseServiceSpec(body));
    validateServiceSpec(requested);
    const now = this.#now();
    await this.#store.update((tx) => {
      const current = tx.lookup("services", ref);
      const spec = resolveNetworks(tx, withRegistryAuth(requested, options.registryAuth || this.#keptRegistryAuth(current, options.registryAuthFrom)));
      if (spec.EndpointSpec && !isDeepStrictEqual(spec.EndpointSpec, current.Spec.EndpointSpec)) checkPortConflicts(tx, spec, current.ID);
      checkSecretsAndConfigs(tx, spec);
      if (serviceModeName(current.Spec.Mode) !== serviceModeName(spec.Mode)) throw new ShoalError("unimplemented", MODE_CHANGE_MESSAGE);
      if (current.Spec.Name !== spec.Name) throw new ShoalError("unimplemented", RENAME_MESSAGE);
      // Better than swarm mode: a status write (the updater's progress) since the client read the spec is no conflict.
      const specVersion = current.SpecVersion?.Index ?? current.Version.Index;
      const readVersion = version >= specVersion && version <= current.Version.Index ? current.Version.Index : version;
      const next: Service = { ...current, Version: { Index: readVersion } };
      if (current.JobStatus) next.JobStatus = { JobIteration: { Index: current.JobStatus.JobIteration.Index + 1 }, LastExecution: now };
      if (rollback === "previous") {
        if (!current.PreviousSpec) {
          throw new ShoalError("failed_precondition", `rpc error: code = FailedPrecondition desc = service ${current.ID} does not have a previous spec`);
        }
        next.Spec = current.PreviousSpec;
        next.PreviousSpec = current.Spec;
        next.UpdateStatus = { State: "rollback_started", StartedAt: now, Message: MANUAL_ROLLBACK_MESSAGE };
      } else {
        next.PreviousSpec = current.Spec;
        next.Spec = spec;
        delete next.UpdateStatus;
      }
      tx.update("services", next);
    });
    return {};
  }

  /**
   * Removes a service and, in the same transaction, sets its tasks' desired state to `remove`: the
   * agents stop them, the task reaper deletes them once they are down.
   */
  async remove(ref: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.update((tx) => {
          const service = tx.lookup("services", ref);
          tx.delete("services", service.ID);
          for (const task of tx.find("tasks", { index: "service", key: service.ID })) {
            if (compareTaskStates(task.DesiredState, "remove") < 0) tx.update("tasks", { ...task, DesiredState: "remove" });
          }
        });
        return;
      } catch (error) {
        // A task's status landed between our read and the commit: read again.
        if (!(error instanceof ShoalError && error.code === "sequence_conflict") || attempt >= REMOVE_ATTEMPTS) throw error;
      }
    }
  }

  /** Tasks passing Docker's task filters (service and node by name or ID, `_up-to-date`…). */
  tasks(filters: Record<string, string[]>): Task[] {
    return this.#store.view((tx) => filterTasks(tx, filters).map(publicTask));
  }

  /** A task by ID, name (`web.1.<id>`) or unique ID prefix (moby's `getTask`). */
  task(ref: string): Task {
    return publicTask(this.#store.view((tx) => lookupTask(tx, ref)));
  }

  /** The spec, named at random when it has no name (moby's names generator), among names not taken. */
  #named(spec: ServiceSpec): ServiceSpec {
    if (spec.Name) return spec;
    const name = this.#store.view((tx) => randomContainerName((candidate) => tx.getByName("services", candidate) !== undefined));
    return { ...spec, Name: name };
  }

  /** The credentials an update keeps when it sends none (moby: from the spec, or the previous spec). */
  #keptRegistryAuth(service: Service, from: ServiceUpdateOptions["registryAuthFrom"]): string | undefined {
    if (from === "previous-spec") {
      if (!service.PreviousSpec) throw new ShoalError("failed_precondition", "service does not have a previous spec");
      return service.PreviousSpec.TaskTemplate.ContainerSpec?.PullOptions?.RegistryAuth;
    }
    return service.Spec.TaskTemplate.ContainerSpec?.PullOptions?.RegistryAuth;
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

/** Exact ID, then exact task name, then unique ID prefix; `task X not found` / `task X is ambiguous (N matches found)`. */
function lookupTask(tx: ReadTx<SwarmTables>, ref: string): Task {
  const byId = tx.get("tasks", ref);
  if (byId) return byId;
  const all = tx.find("tasks");
  const byName = all.filter((task) => taskName(task) === ref);
  const matches = byName.length > 0 ? byName : ref ? all.filter((task) => task.ID.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new ShoalError("invalid_argument", `task ${ref} is ambiguous (${matches.length} matches found)`);
  throw new ShoalError("not_found", `task ${ref} not found`);
}
