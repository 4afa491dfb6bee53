/**
 * pki: the swarm's own certificate authority as a library — root CA, node keys and CSRs, node certificates and their
 * validation, join tokens, renewal, root rotation, autolock sealing and the on-disk certificate store.
 * Nothing here listens or dials; the CA server and the transport build on it. See README.md for the flows.
 */
export { createRootCA, ROOT_CA_COMMON_NAME, ROOT_CA_VALIDITY_MS } from "./root-ca.ts";
export type { CreateRootCaOptions, RootCa } from "./root-ca.ts";
export { openSigningCa } from "./signing-ca.ts";
export type { SigningCa, SigningCaMaterial } from "./signing-ca.ts";
export { createNodeKeyAndCsr } from "./node-csr.ts";
export type { NodeKeyAndCsr } from "./node-csr.ts";
export { CA_SERVER_NAME, MANAGER_OU, WORKER_OU, ouToRole, roleToOu } from "./node-role.ts";
export type { NodeRole } from "./node-role.ts";
export { DEFAULT_NODE_CERT_VALIDITY_MS, MIN_NODE_CERT_VALIDITY_MS, issueNodeCertificate } from "./issue-node-certificate.ts";
export type { IssueNodeCertificateOptions, IssuedNodeCertificate } from "./issue-node-certificate.ts";
export { parseNodeCertificate } from "./node-certificate.ts";
export type { NodeIdentity } from "./node-certificate.ts";
export { MAX_INTERMEDIATES, validateCertificateChain } from "./certificate-chain.ts";
export type { ValidateCertificateChainOptions, VerifiedNodeIdentity } from "./certificate-chain.ts";
export { InMemoryRemovedNodes } from "./removed-nodes.ts";
export type { RemovedNodes } from "./removed-nodes.ts";
export { authorizePeer } from "./authorize-peer.ts";
export type { AuthorizePeerOptions, PeerNode } from "./authorize-peer.ts";
export {
  JOIN_TOKEN_DIGEST_LENGTH,
  JOIN_TOKEN_PREFIX,
  JOIN_TOKEN_SECRET_LENGTH,
  generateJoinToken,
  generateJoinTokens,
  parseJoinToken,
  rootCaDigest,
  rotateJoinToken,
} from "./join-token.ts";
export type { JoinTokens, ParsedJoinToken } from "./join-token.ts";
export { INVALID_JOIN_TOKEN_MESSAGE, roleForJoinToken, verifyRemoteRootCa } from "./join-token-check.ts";
export type { JoinTokenCheckOptions } from "./join-token-check.ts";
export { MAX_TIMER_DELAY_MS, RENEWAL_WINDOW, RenewalScheduler, renewalTime, retryDelay } from "./renewal-scheduler.ts";
export type { CertificateLifetime, RenewalSchedulerOptions } from "./renewal-scheduler.ts";
export { crossSignRootCA } from "./cross-sign.ts";
export { recordRotationProgress, retireOldRoot, rotationSigningCa, rotationTrustBundle, startRootRotation } from "./root-rotation.ts";
export type { NodeCertificateState, RootRotation, RootRotationPhase, RotationProgress, StartRootRotationOptions } from "./root-rotation.ts";
export { DATA_KEY_BYTES, UNLOCK_KEY_BYTES, UNLOCK_KEY_PREFIX, generateDataKey, generateUnlockKey, parseUnlockKey } from "./unlock-key.ts";
export { INVALID_UNLOCK_KEY_MESSAGE, openSealedSecret, resealSecret, sealSecret } from "./seal.ts";
export type { SealPurpose } from "./seal.ts";
export { NODE_KEY_PEM_TYPES, isNodeSecretsSealed, openNodeSecrets, sealNodeSecrets } from "./node-key-file.ts";
export type { NodeSecrets } from "./node-key-file.ts";
export { SWARM_LOCKED_MESSAGE, swarmLockedError } from "./swarm-locked.ts";
export { decodePemBlocks, encodePem } from "./pem.ts";
export {
  CERTIFICATES_DIR,
  CERTIFICATE_FILES,
  certificatesDir,
  isNodeLocked,
  loadNodeCredentials,
  rotateUnlockKey,
  saveDataKey,
  saveNodeCredentials,
  saveRootCaBundle,
} from "./certificate-store.ts";
export type { NodeCredentials, UnlockOptions } from "./certificate-store.ts";
export { writeFileAtomic } from "./atomic-write.ts";
export type { AtomicWriteOptions } from "./atomic-write.ts";
export { x509 as loadX509 } from "./x509.ts";
