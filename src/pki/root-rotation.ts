import { ShoalError, type Clock } from "../lib/index.ts";
import { crossSignRootCA } from "./cross-sign.ts";
import { openSigningCa, type SigningCaMaterial } from "./signing-ca.ts";
import { parseCertificate, publicKeyPem } from "./pem.ts";
import { createRootCA, type RootCa } from "./root-ca.ts";

/**
 * Where a root CA rotation (`swarm ca --rotate`) stands. Retirement is final; before it, the phase follows the latest
 * count of node certificates (a node that shows up with an old-root certificate sends it back to issuing):
 * - "issuing-new-root": the new root signs every certificate (handed out with the cross-signed root), both roots are trusted;
 * - "all-nodes-reissued": every node holds a certificate from the new root; both roots are still trusted, the store may now
 *   publish the new root alone (and new join tokens, whose digest changes with the bundle);
 * - "old-root-retired": only the new root is trusted; certificates from the old root are refused.
 */
export type RootRotationPhase = "issuing-new-root" | "all-nodes-reissued" | "old-root-retired";

/** How far the nodes are: how many hold a certificate from the new root, out of how many. */
export interface RotationProgress {
  /** Nodes whose certificate the new root issued. */
  reissued: number;
  /** All nodes that must be reissued. */
  total: number;
  /** The nodes still waiting for a certificate from the new root, sorted. */
  pendingNodeIds: string[];
}

/** A root CA rotation: pure data the cluster store keeps and replicates; functions below advance it. */
export interface RootRotation {
  /** Where the rotation stands. */
  phase: RootRotationPhase;
  /** The root being replaced, PEM (its key is no longer needed once the cross-signed root exists). */
  oldRootCertificatePem: string;
  /** The new root CA. */
  newRoot: RootCa;
  /** The new root's public key, "PUBLIC KEY" PEM: a node is reissued when its certificate's issuer key is this one. */
  newRootPublicKeyPem: string;
  /** The new root's key and subject signed by the old root, PEM. */
  crossSignedCertificatePem: string;
  /** Nodes reissued so far. */
  progress: RotationProgress;
}

/** A node's certificate as the rotation sees it. */
export interface NodeCertificateState {
  /** The node ID. */
  nodeId: string;
  /** The public key that signed the node's current certificate ("PUBLIC KEY" PEM, from validateCertificateChain), or null while none is issued. */
  issuerPublicKeyPem: string | null;
}

/** Options of {@link startRootRotation}. */
export interface StartRootRotationOptions {
  /** Where the new root's validity comes from. */
  clock: Clock;
}

/** Begins a rotation away from `currentRoot`: makes a new root and cross-signs it with the current root's key. */
export async function startRootRotation(currentRoot: RootCa, options: StartRootRotationOptions): Promise<RootRotation> {
  await openSigningCa(currentRoot); // refuse a broken current root before minting anything
  const newRoot = await createRootCA({ clock: options.clock });
  return {
    phase: "issuing-new-root",
    oldRootCertificatePem: currentRoot.certificatePem,
    newRoot,
    newRootPublicKeyPem: publicKeyPem(parseCertificate(newRoot.certificatePem, "the new root CA certificate")),
    crossSignedCertificatePem: await crossSignRootCA(newRoot.certificatePem, currentRoot),
    progress: { reissued: 0, total: 0, pendingNodeIds: [] },
  };
}

/** The rotation after counting the nodes' certificates: "all-nodes-reissued" once every node has one from the new root. */
export function recordRotationProgress(rotation: RootRotation, nodes: readonly NodeCertificateState[]): RootRotation {
  if (rotation.phase === "old-root-retired") return rotation;
  const pendingNodeIds = nodes
    .filter((node) => node.issuerPublicKeyPem !== rotation.newRootPublicKeyPem)
    .map((node) => node.nodeId)
    .sort();
  const progress = { reissued: nodes.length - pendingNodeIds.length, total: nodes.length, pendingNodeIds };
  const phase = pendingNodeIds.length === 0 ? "all-nodes-reissued" : "issuing-new-root";
  return { ...rotation, phase, progress };
}

/** Ends the rotation: stops trusting the old root. Refused until every node holds a certificate from the new root. */
export function retireOldRoot(rotation: RootRotation): RootRotation {
  if (rotation.phase === "old-root-retired") return rotation;
  if (rotation.phase !== "all-nodes-reissued") {
    const { reissued, total } = rotation.progress;
    throw new ShoalError(
      "failed_precondition",
      `cannot retire the old root CA yet: ${reissued} of ${total} nodes have certificates from the new root (waiting for ${rotation.progress.pendingNodeIds.join(", ")})`,
    );
  }
  return { ...rotation, phase: "old-root-retired" };
}

/** The roots nodes must trust in this phase, PEM: old and new until retirement, then the new root alone. */
export function rotationTrustBundle(rotation: RootRotation): string {
  if (rotation.phase === "old-root-retired") return rotation.newRoot.certificatePem;
  return rotation.oldRootCertificatePem + rotation.newRoot.certificatePem;
}

/** The CA that issues node certificates in this phase: the new root, with the cross-signed root as intermediate until retirement. */
export function rotationSigningCa(rotation: RootRotation): SigningCaMaterial {
  const { certificatePem, keyPem } = rotation.newRoot;
  if (rotation.phase === "old-root-retired") return { certificatePem, keyPem };
  return { certificatePem, keyPem, intermediatesPem: rotation.crossSignedCertificatePem };
}
