/**
 * Logs of swarm tasks as the managers gather them from the nodes (SwarmKit's `LogBroker`): a
 * subscription goes to the agents whose tasks match, and they publish lines back.
 */

/** One line of a task container's log. */
export interface TaskLogLine {
  /** RFC 3339 with nanoseconds. */
  time: string;
  stream: "stdout" | "stderr";
  text: string;
  /** False when the line was cut (no newline at its end). */
  complete: boolean;
}

/** Which tasks' logs: those of these services and these tasks. */
export interface LogSelector {
  serviceIds: string[];
  taskIds: string[];
}

/** docker's `service logs` options. */
export interface LogOptions {
  follow: boolean;
  /** Last lines per task; all when absent. */
  tail?: number;
  /** Only lines at or after this time (ms since the epoch). */
  sinceMs?: number;
}

/** A subscription, as the broker sends it to an agent; `close` ends one. */
export interface LogSubscription {
  id: string;
  selector: LogSelector;
  options: LogOptions;
  close?: boolean;
}

/** A line published by a node, with the task it belongs to. */
export interface PublishedLogLine extends TaskLogLine {
  taskId: string;
  serviceId: string;
  nodeId: string;
}
