import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Node, Swarm } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { durationFlag, flagValueError, type WireSwarmSpec } from "./swarm-flags.ts";
import { updateSwarm } from "./update-swarm.ts";

/** How often `swarm ca --rotate` looks at the nodes while the rotation converges (docker's 200 ms). */
const POLL_INTERVAL_MS = 200;

/** Flags of `shoal swarm ca`. */
export interface SwarmCaFlags {
  rotate?: boolean;
  quiet?: boolean;
  detach?: boolean;
  certExpiry?: string;
  caCert?: string;
  caKey?: string;
}

/** A PEM file flag's contents, refused as docker's PEMFile is when unreadable or not PEM. */
function pemFile(flag: string, path: string | undefined): string {
  if (path === undefined) return "";
  let contents: string;
  try {
    contents = readFileSync(path, "utf8");
  } catch (error) {
    throw flagValueError("swarm ca", flag, path, `open ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (error as Error).message}`);
  }
  if (!/-----BEGIN [^-]+-----[\s\S]*-----END [^-]+-----/.test(contents)) throw flagValueError("swarm ca", flag, path, "file contents must be in PEM format");
  return contents;
}

/** Prints the cluster's root CA certificate (PEM). */
function displayTrustRoot(ctx: CliContext, swarm: Swarm): void {
  const trustRoot = swarm.TLSInfo?.TrustRoot ?? "";
  if (!trustRoot) throw new CliError("No CA information available");
  ctx.out(`${trustRoot.trim()}\n`);
}

/** How far a root rotation has got: nodes with a certificate from the new issuer, and with the new trust root. */
export function rotationProgress(swarm: Swarm, nodes: Node[]): { digest: string; certs: number; roots: number; total: number; done: boolean } {
  const desired = swarm.TLSInfo ?? { TrustRoot: "", CertIssuerSubject: "", CertIssuerPublicKey: "" };
  let certs = 0;
  let roots = 0;
  for (const node of nodes) {
    const tls = node.Description?.TLSInfo;
    if ((tls?.CertIssuerPublicKey ?? "") === (desired.CertIssuerPublicKey ?? "") && (tls?.CertIssuerSubject ?? "") === (desired.CertIssuerSubject ?? "")) certs++;
    if ((tls?.TrustRoot ?? "") === desired.TrustRoot) roots++;
  }
  const total = nodes.length;
  const certsDone = certs === total && !swarm.RootRotationInProgress;
  return {
    digest: `sha256:${createHash("sha256").update(desired.TrustRoot ?? "").digest("hex")}`,
    certs,
    roots: certsDone ? roots : 0,
    total,
    done: certsDone && roots === total,
  };
}

/**
 * Waits, polling `GET /swarm` and `GET /nodes`, until every node has a certificate from the new
 * root and trusts it; prints each change of the progress unless `quiet`.
 */
export async function waitForRootRotation(ctx: CliContext, options: { quiet?: boolean; intervalMs?: number }): Promise<void> {
  const say = (text: string) => options.quiet || ctx.out(text);
  say("desired root digest: \n  rotated TLS certificates: \n  rotated CA certificates:  \n");
  let shown = { digest: "", certs: "", roots: "" };
  let done = false;
  for (;;) {
    const swarm = await ctx.client.json<Swarm>("GET", "/swarm");
    if (done) return;
    const nodes = await ctx.client.json<Node[]>("GET", "/nodes");
    const progress = rotationProgress(swarm, nodes);
    const now = { digest: progress.digest, certs: `${progress.certs}/${progress.total} nodes`, roots: `${progress.roots}/${progress.total} nodes` };
    if (now.digest !== shown.digest) say(`desired root digest: ${now.digest}\n`);
    if (now.certs !== shown.certs) say(`  rotated TLS certificates: ${now.certs}\n`);
    if (now.roots !== shown.roots) say(`  rotated CA certificates:  ${now.roots}\n`);
    shown = now;
    done = progress.done;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? POLL_INTERVAL_MS));
  }
}

/**
 * `shoal swarm ca [--rotate [--ca-cert F --ca-key F] [--cert-expiry D] [-d] [-q]]`: prints the root
 * CA certificate; with --rotate starts a root rotation and (unless detached) waits for it to converge.
 */
export async function swarmCaCommand(ctx: CliContext, flags: SwarmCaFlags, intervalMs = POLL_INTERVAL_MS): Promise<void> {
  const caCert = pemFile("--ca-cert", flags.caCert);
  const caKey = pemFile("--ca-key", flags.caKey);
  const certExpiry = flags.certExpiry === undefined ? undefined : durationFlag("swarm ca", "--cert-expiry", flags.certExpiry);
  const swarm = await ctx.client.json<Swarm>("GET", "/swarm");
  if (!flags.rotate) {
    for (const [flag, given] of [
      ["ca-cert", flags.caCert],
      ["ca-key", flags.caKey],
      ["cert-expiry", flags.certExpiry],
    ] as const) {
      if (given !== undefined) throw new CliError(`\`--${flag}\` flag requires the \`--rotate\` flag to update the CA`);
    }
    displayTrustRoot(ctx, swarm);
    return;
  }
  if (flags.caCert !== undefined && flags.caKey === undefined) {
    throw new CliError("the --ca-cert flag requires that a --ca-key flag and/or --external-ca flag be provided as well");
  }
  const spec = structuredClone(swarm.Spec) as WireSwarmSpec;
  const ca = { ...spec.CAConfig };
  if (certExpiry !== undefined) ca.NodeCertExpiry = certExpiry;
  ca.SigningCACert = caCert;
  ca.SigningCAKey = caKey;
  if (!caCert && !caKey) ca.ForceRotate = (ca.ForceRotate ?? 0) + 1;
  spec.CAConfig = ca;
  await updateSwarm(ctx, swarm.Version.Index, spec);
  if (flags.detach) return;
  await waitForRootRotation(ctx, { quiet: flags.quiet, intervalMs });
  if (flags.quiet) return;
  displayTrustRoot(ctx, await ctx.client.json<Swarm>("GET", "/swarm"));
}
