import {
  createNodeKeyAndCsr,
  createRootCA,
  issueNodeCertificate,
  openSigningCa,
  type NodeRole,
  type RootCa,
  type SigningCa,
  type SigningCaMaterial,
} from "../../src/pki/index.ts";
import { ShoalError, type Clock } from "../../src/lib/index.ts";

/** A cluster ID of the usual shape. */
export const CLUSTER_ID = "c1usterc1usterc1usterc1u";

/** A root CA and the signer made from it. */
export interface TestCa {
  root: RootCa;
  signer: SigningCa;
}

/** A new root CA, ready to issue. */
export async function testCa(clock: Clock): Promise<TestCa> {
  const root = await createRootCA({ clock });
  return { root, signer: await openSigningCa(root) };
}

/** A node's key and the certificate chain a CA issued for it. */
export interface TestNode {
  nodeId: string;
  keyPem: string;
  /** Leaf alone. */
  leafPem: string;
  /** Leaf and intermediates. */
  certificatePem: string;
}

/** A node key, CSR and certificate issued by `ca` (a SigningCa, or material to open one). */
export async function testNode(
  ca: SigningCa | SigningCaMaterial,
  clock: Clock,
  options: { nodeId?: string; role?: NodeRole; clusterId?: string; validityMs?: number } = {},
): Promise<TestNode> {
  const signer = "privateKey" in ca ? ca : await openSigningCa(ca);
  const nodeId = options.nodeId ?? "n0den0den0den0den0den0de1";
  const { keyPem, csrPem } = await createNodeKeyAndCsr();
  const issued = await issueNodeCertificate(signer, csrPem, {
    nodeId,
    role: options.role ?? "worker",
    clusterId: options.clusterId ?? CLUSTER_ID,
    clock,
    ...(options.validityMs === undefined ? {} : { validityMs: options.validityMs }),
  });
  return { nodeId, keyPem, leafPem: issued.certificatePem, certificatePem: issued.chainPem };
}

/** Runs `fn` and returns the ShoalError it throws; fails when it throws nothing or something else. */
export async function caught(fn: () => unknown): Promise<ShoalError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ShoalError) return error;
    throw new Error(`expected a ShoalError, got ${String(error)}`);
  }
  throw new Error("expected a ShoalError, but nothing was thrown");
}
