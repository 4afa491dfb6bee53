/**
 * A task's secrets and configs on this node (moby `daemon/container_operations_unix.go`): secrets
 * in a tmpfs of the task's own (never on disk), configs in a directory beside it, each file with
 * the mode, uid and gid its reference asks for, bind-mounted read-only into the container.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { mountFilesystem, unmount } from "../../../native/index.ts";
import { ShoalError } from "../../lib/index.ts";
import type { ContainerSpec, FileTarget } from "../../types/index.ts";
import type { AssignedFile } from "../task-executor.ts";
import type { FileMount } from "./task-container-config.ts";

/** Where secrets appear when their target is a bare name. */
const SECRETS_DIR = "/run/secrets";
/** The tmpfs of one task's secrets: small, as secrets are (at most 500 KB each in swarm). */
const SECRETS_TMPFS_OPTIONS = "mode=0700,size=64m";

/** One file to write for a task: which secret or config, where it goes and with which owner and mode. */
export interface PlannedFile {
  kind: AssignedFile["kind"];
  id: string;
  name: string;
  /** File name on the host, in the task's secrets or configs directory. */
  hostName: string;
  target: string;
  uid: number;
  gid: number;
  mode: number;
}

function owner(value: string | undefined, what: string): number {
  if (value === undefined || value === "") return 0;
  if (!/^\d+$/.test(value)) throw new ShoalError("invalid_argument", `${what} must be a numeric ID, not ${JSON.stringify(value)}`);
  return Number(value);
}

function planned(kind: AssignedFile["kind"], index: number, id: string, name: string, file: FileTarget): PlannedFile {
  const target = isAbsolute(file.Name) ? file.Name : kind === "secret" ? `${SECRETS_DIR}/${file.Name}` : `/${file.Name}`;
  return { kind, id, name, hostName: `${index}-${id}`, target, uid: owner(file.UID, `the UID of ${kind} ${name}`), gid: owner(file.GID, `the GID of ${kind} ${name}`), mode: file.Mode ?? 0o444 };
}

/** The files a container spec asks for (references without a file target, such as credential specs, are skipped). Pure. */
export function planTaskFiles(spec: ContainerSpec): PlannedFile[] {
  return [
    ...(spec.Secrets ?? []).flatMap((ref, index) => (ref.File ? [planned("secret", index, ref.SecretID, ref.SecretName, ref.File)] : [])),
    ...(spec.Configs ?? []).flatMap((ref, index) => (ref.File ? [planned("config", index, ref.ConfigID, ref.ConfigName, ref.File)] : [])),
  ];
}

/** Where the executor keeps its tasks' secrets and configs (a fake in tests that run without root). */
export interface TaskFileStore {
  /** Writes the files of one task afresh and returns their mounts; a secret or config not sent is an error. */
  write(taskId: string, spec: ContainerSpec, available: ReadonlyMap<string, AssignedFile>): FileMount[];
  /** Removes a task's files; nothing there is fine. */
  remove(taskId: string): void;
}

/** The secrets and configs of the tasks on this node, under `<root>/<task id>/{secrets,configs}`. */
export class TaskFiles implements TaskFileStore {
  readonly #root: string;
  readonly #tmpfs: boolean;

  /** `secretsOnTmpfs: false` keeps secrets in a plain directory (unit tests without root only). */
  constructor(root: string, options: { secretsOnTmpfs?: boolean } = {}) {
    this.#root = root;
    this.#tmpfs = options.secretsOnTmpfs ?? true;
  }

  #dir(taskId: string): string {
    return join(this.#root, taskId);
  }

  /**
   * Writes the files of one task afresh (a tmpfs for its secrets) and returns their mounts. A
   * secret or config the managers did not send is an error naming it.
   */
  write(taskId: string, spec: ContainerSpec, available: ReadonlyMap<string, AssignedFile>): FileMount[] {
    const plan = planTaskFiles(spec);
    for (const file of plan) {
      const data = available.get(file.id);
      if (!data || data.kind !== file.kind) throw new ShoalError("not_found", `${file.kind} ${file.name} (${file.id}) was not sent to this node: the managers may not have it any more`);
    }
    this.remove(taskId);
    if (plan.length === 0) return [];
    const secrets = join(this.#dir(taskId), "secrets");
    const configs = join(this.#dir(taskId), "configs");
    mkdirSync(configs, { recursive: true, mode: 0o700 });
    if (plan.some((file) => file.kind === "secret")) {
      mkdirSync(secrets, { recursive: true, mode: 0o700 });
      if (this.#tmpfs) mountFilesystem("tmpfs", secrets, "tmpfs", SECRETS_TMPFS_OPTIONS);
    }
    return plan.map((file) => {
      const source = join(file.kind === "secret" ? secrets : configs, file.hostName);
      writeFileSync(source, available.get(file.id)!.data);
      if (file.uid !== process.getuid?.() || file.gid !== process.getgid?.()) chownSync(source, file.uid, file.gid);
      chmodSync(source, file.mode); // after writing: the umask does not apply to chmod
      return { source, target: file.target };
    });
  }

  /** Removes a task's files (unmounting its secrets' tmpfs); nothing there is fine. */
  remove(taskId: string): void {
    const dir = this.#dir(taskId);
    if (!existsSync(dir)) return;
    if (this.#tmpfs) unmount(join(dir, "secrets"));
    rmSync(dir, { recursive: true, force: true });
  }
}
