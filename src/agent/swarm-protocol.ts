import { ANY_NODE, ANYONE, unaryMethod } from "../transport/index.ts";
import type {
  HeartbeatRequest,
  HeartbeatResponse,
  IssueNodeCertificateRequest,
  IssueManagerMaterialRequest,
  IssueManagerMaterialResponse,
  IssueNodeCertificateResponse,
  RootCaCertificateResponse,
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
