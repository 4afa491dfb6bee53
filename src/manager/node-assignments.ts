import { compareTaskStates, type AssignmentsMessage, type AssignedFile, type Config, type Secret, type Task } from "../types/index.ts";

/** Reads a secret or config by ID at the time a message is built. */
export interface FileSource {
  secret(id: string): Secret | undefined;
  config(id: string): Config | undefined;
}

/** True for a task the dispatcher sends to its node: a node was chosen and the scheduler handed it over. */
export function isAssigned(task: Task, nodeId: string): boolean {
  return task.NodeID === nodeId && compareTaskStates(task.Status.State, "assigned") >= 0;
}

/** What of a task the node acts on, as text: all but what the node itself reports (status) and bookkeeping (version, time). */
function agentView(task: Task): string {
  const { Status: _status, Version: _version, UpdatedAt: _updated, ...rest } = task;
  return JSON.stringify(rest);
}

/** Whether a task refers to any secret or config (only then can it change which files the node needs). */
function usesFiles(task: Task): boolean {
  const spec = task.Spec.ContainerSpec;
  return (spec?.Secrets?.length ?? 0) > 0 || (spec?.Configs?.length ?? 0) > 0;
}

/** Whether a task's containers may still need its secrets and configs. */
function needsFiles(task: Task): boolean {
  return compareTaskStates(task.DesiredState, "running") <= 0 && compareTaskStates(task.Status.State, "running") <= 0;
}

/**
 * What one node's assignments stream has sent (SwarmKit's dispatcher `Assignments` bookkeeping):
 * the tasks assigned to the node and the secrets and configs they use. {@link complete} gives the
 * first message; {@link observe} takes store changes of tasks; {@link flush} turns what changed since
 * into an incremental message, or null when the node need not hear of it (its own status reports
 * are not echoed back).
 */
export class NodeAssignments {
  readonly #nodeId: string;
  readonly #files: FileSource;
  readonly #tasks = new Map<string, Task>();
  /** {@link agentView} of each held task: a status report changes a task without changing it. */
  readonly #views = new Map<string, string>();
  /** File ID → the Version.Index sent. */
  readonly #sentFiles = new Map<string, number>();
  readonly #changed = new Map<string, Task>();
  readonly #removed = new Set<string>();
  #filesDirty = false;

  constructor(nodeId: string, files: FileSource) {
    this.#nodeId = nodeId;
    this.#files = files;
  }

  /** The first message: every task assigned to the node among `tasks` (the node's tasks) and their files. */
  complete(tasks: readonly Task[]): AssignmentsMessage {
    for (const task of tasks) {
      if (!isAssigned(task, this.#nodeId)) continue;
      this.#tasks.set(task.ID, task);
      this.#views.set(task.ID, agentView(task));
    }
    const files = this.#wantedFiles();
    for (const file of files) this.#sentFiles.set(file.ID, file.version);
    return { type: "complete", updateTasks: [...this.#tasks.values()], removeTasks: [], updateFiles: files.map((file) => file.file), removeFiles: [] };
  }

  /** A task was created, updated or deleted in the store (`task` is the new object, `null` when deleted). */
  observe(id: string, task: Task | null): void {
    const held = this.#tasks.get(id);
    if (task && isAssigned(task, this.#nodeId)) {
      const view = agentView(task);
      this.#tasks.set(id, task);
      this.#removed.delete(id);
      if (!held || this.#views.get(id) !== view) this.#changed.set(id, task);
      this.#views.set(id, view);
      if ((!held || needsFiles(held) !== needsFiles(task)) && (usesFiles(task) || (held !== undefined && usesFiles(held)))) this.#filesDirty = true;
    } else if (held) {
      this.#tasks.delete(id);
      this.#views.delete(id);
      this.#changed.delete(id);
      this.#removed.add(id);
      if (usesFiles(held)) this.#filesDirty = true;
    }
  }

  /** A secret or config changed: resend it if a task of this node uses it. */
  observeFile(id: string): void {
    if (this.#sentFiles.has(id)) {
      this.#sentFiles.set(id, -1);
      this.#filesDirty = true;
    }
  }

  /** The changes since the last message, or null when there are none for the node. */
  flush(): AssignmentsMessage | null {
    const updateFiles: AssignedFile[] = [];
    const removeFiles: string[] = [];
    if (this.#filesDirty) {
      const wanted = this.#wantedFiles();
      const wantedIds = new Set(wanted.map((file) => file.ID));
      for (const file of wanted) {
        if (this.#sentFiles.get(file.ID) === file.version) continue;
        this.#sentFiles.set(file.ID, file.version);
        updateFiles.push(file.file);
      }
      for (const id of [...this.#sentFiles.keys()]) {
        if (wantedIds.has(id)) continue;
        this.#sentFiles.delete(id);
        removeFiles.push(id);
      }
      this.#filesDirty = false;
    }
    if (this.#changed.size === 0 && this.#removed.size === 0 && updateFiles.length === 0 && removeFiles.length === 0) return null;
    const message: AssignmentsMessage = { type: "incremental", updateTasks: [...this.#changed.values()], removeTasks: [...this.#removed], updateFiles, removeFiles };
    this.#changed.clear();
    this.#removed.clear();
    return message;
  }

  /** The secrets and configs the node's live tasks reference and that exist. */
  #wantedFiles(): { ID: string; version: number; file: AssignedFile }[] {
    const secretIds = new Set<string>();
    const configIds = new Set<string>();
    for (const task of this.#tasks.values()) {
      if (!needsFiles(task)) continue;
      for (const reference of task.Spec.ContainerSpec?.Secrets ?? []) secretIds.add(reference.SecretID);
      for (const reference of task.Spec.ContainerSpec?.Configs ?? []) configIds.add(reference.ConfigID);
    }
    const files: { ID: string; version: number; file: AssignedFile }[] = [];
    for (const id of secretIds) {
      const secret = this.#files.secret(id);
      if (secret) files.push({ ID: id, version: secret.Version.Index, file: { ID: id, kind: "secret", name: secret.Spec.Name, data: Buffer.from(secret.Spec.Data ?? "", "base64") } });
    }
    for (const id of configIds) {
      const config = this.#files.config(id);
      if (config) files.push({ ID: id, version: config.Version.Index, file: { ID: id, kind: "config", name: config.Spec.Name, data: Buffer.from(config.Spec.Data, "base64") } });
    }
    return files;
  }
}
