import { ANY_NODE, MANAGERS_ONLY, streamMethod, unaryMethod } from "../transport/index.ts";
import type { LogOptions, LogSelector, LogSubscription, PublishedLogLine } from "../types/index.ts";

/** Lines a node publishes for one subscription; `close` says it has sent all it will. */
export interface PublishLogsRequest {
  subscriptionId: string;
  lines: PublishedLogLine[];
  close?: boolean;
}

/** What a subscriber receives: lines, and warnings about nodes that could not be asked. */
export interface LogBatch {
  lines: PublishedLogLine[];
  warnings?: string[];
}

/** An agent listens for log subscriptions that concern its tasks (from the leader). */
export const ListenSubscriptions = streamMethod<Record<string, never>, LogSubscription>("LogBroker.ListenSubscriptions", ANY_NODE);

/** An agent publishes the lines of a subscription. */
export const PublishLogs = unaryMethod<PublishLogsRequest, Record<string, never>>("LogBroker.PublishLogs", ANY_NODE);

/** A follower passes a `service logs` request on to the leader, which runs it. */
export const SubscribeLogs = streamMethod<{ selector: LogSelector; options: LogOptions }, LogBatch>("LogBroker.SubscribeLogs", MANAGERS_ONLY);
