/**
 * What the swarm benchmark needs of an engine: hosts, each with the engine's own CLI against its
 * daemon, a crash (kill -9), a restart on the same roots, and the RSS of its long-lived processes.
 * shoal (swarm-shoal.ts) and Docker 20.10 (swarm-docker.ts) implement it; swarm-workloads.ts drives both.
 */
import type { CommandResult } from "../../test/support/run.ts";

/** One namespace host running one engine daemon. */
export interface SwarmHost {
  readonly hostname: string;
  readonly address: string;
  /** The host's network namespace (under /run/netns): the engine's daemons and monitors run in it. */
  readonly netns: string;
  /** Runs the engine's CLI (`shoal …`, or docker 20.10's `docker …`) in the host's namespace against its daemon. */
  cli(args: string[], timeoutMs?: number): Promise<CommandResult>;
  /** kill -9 of the engine's processes on this host (shoal: the daemon; docker: dockerd and its containerd); resolves once they are gone. */
  crash(): Promise<void>;
  /** Starts the engine again on the same roots and resolves when its API answers. */
  restart(): Promise<void>;
  /** RSS in MiB of the engine's long-lived processes, by process name (shoal: `shoal`; docker: `dockerd`, `containerd`). */
  rss(): Record<string, number>;
}

/** An engine's hosts: the first three become managers, the fourth a worker. */
export interface SwarmCluster {
  /** `shoal`, or `docker <version>`. */
  readonly name: string;
  readonly hosts: SwarmHost[];
  /** Stops the daemons and removes namespaces, links, mounts and files; safe to call twice. */
  teardown(): Promise<void>;
}

/** The CLI's stdout, trimmed; throws with the host and the CLI's words when it fails. */
export async function cliOk(host: SwarmHost, args: string[], timeoutMs?: number): Promise<string> {
  const result = await host.cli(args, timeoutMs);
  if (result.exitCode !== 0) throw new Error(`${args.join(" ")} on ${host.hostname} failed (${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout.trim();
}
