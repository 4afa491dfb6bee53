import type { CliContext } from "../context.ts";
import { encodeSwarmSpec, type WireSwarmSpec } from "./swarm-flags.ts";

/** Which secrets a swarm update also rotates. */
export interface SwarmRotations {
  rotateWorkerToken?: boolean;
  rotateManagerToken?: boolean;
  rotateManagerUnlockKey?: boolean;
}

/** `POST /swarm/update?…&version=N` with `spec`, its query in the (sorted) order docker's client sends. */
export async function updateSwarm(ctx: CliContext, version: number, spec: WireSwarmSpec, rotations: SwarmRotations = {}): Promise<void> {
  await ctx.client.request("POST", "/swarm/update", {
    query: {
      rotateManagerToken: Boolean(rotations.rotateManagerToken),
      rotateManagerUnlockKey: Boolean(rotations.rotateManagerUnlockKey),
      rotateWorkerToken: Boolean(rotations.rotateWorkerToken),
      version,
    },
    body: encodeSwarmSpec(spec),
  });
}
