import { ANY_NODE, ANYONE, streamMethod, unaryMethod } from "../transport/index.ts";
import type { AssignmentsMessage, LogSubscription } from "../types/index.ts";
import type {
  HeartbeatRequest,
  HeartbeatResponse,
  IssueNodeCertificateRequest,
  IssueManagerMaterialRequest,
  IssueManagerMaterialResponse,
  IssueNodeCertificateResponse,
  PublishLogsRequest,
  RootCaCertificateResponse,
  SessionEndingRequest,
  UpdateTaskStatusRequest,
} from "../manager/index.ts";

/**
 * The manager RPCs an agent calls, declared on the agent's side (the manager is at the same layer
 * rank, so only its types are shared); `manager/swarm-protocol.ts` serves them and a test keeps the
 * names and access rules the same.
 */
export const GetRootCACertificate = unaryMethod<Record<string, never>, RootCaCertificateResponse>("NodeCA.GetRootCACertificate", ANYONE);
export const IssueNodeCertificate = unaryMethod<IssueNodeCertificateRequest, IssueNodeCertificateResponse>("NodeCA.IssueNodeCertificate", ANYONE);
export const Heartbeat = unaryMethod<HeartbeatRequest, HeartbeatResponse>("Dispatcher.Heartbeat", ANY_NODE);
export const IssueManagerMaterial = unaryMethod<IssueManagerMaterialRequest, IssueManagerMaterialResponse>("NodeCA.IssueManagerMaterial", ANY_NODE);
export const Assignments = streamMethod<Record<string, never>, AssignmentsMessage>("Dispatcher.Assignments", ANY_NODE);
export const UpdateTaskStatus = unaryMethod<UpdateTaskStatusRequest, Record<string, never>>("Dispatcher.UpdateTaskStatus", ANY_NODE);
export const SessionEnding = unaryMethod<SessionEndingRequest, Record<string, never>>("Dispatcher.SessionEnding", ANY_NODE);
export const ListenSubscriptions = streamMethod<Record<string, never>, LogSubscription>("LogBroker.ListenSubscriptions", ANY_NODE);
export const PublishLogs = unaryMethod<PublishLogsRequest, Record<string, never>>("LogBroker.PublishLogs", ANY_NODE);
