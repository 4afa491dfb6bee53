import { ShoalError } from "../../lib/index.ts";
import type { RequestedSwarmSpec } from "../../manager/index.ts";
import type { NodeAvailability } from "../../types/index.ts";
import type { SwarmInitRequest } from "../api-env.ts";

const AVAILABILITIES: readonly string[] = ["active", "pause", "drain"];

function invalid(field: string, what: string): ShoalError {
  return new ShoalError("invalid_argument", `invalid swarm init request: ${field} must be ${what}`);
}

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field] ?? "";
  if (typeof value !== "string") throw invalid(field, "a string");
  return value;
}

function count(body: Record<string, unknown>, field: string, max: number): number {
  const value = body[field] ?? 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) throw invalid(field, `an integer from 0 to ${max}`);
  return value;
}

function flag(body: Record<string, unknown>, field: string): boolean {
  const value = body[field] ?? false;
  if (typeof value !== "boolean") throw invalid(field, "true or false");
  return value;
}

/** Checks the shape of `POST /swarm/init`'s body (address meanings are checked where they are resolved). */
export function parseSwarmInitRequest(body: Record<string, unknown>): SwarmInitRequest {
  const availability = text(body, "Availability").toLowerCase();
  if (availability && !AVAILABILITIES.includes(availability)) throw invalid("Availability", "active, pause or drain");
  const pool = body.DefaultAddrPool ?? [];
  if (!Array.isArray(pool) || !pool.every((entry) => typeof entry === "string")) throw invalid("DefaultAddrPool", "a list of CIDR strings");
  for (const cidr of pool as string[]) {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!match || match.slice(1, 5).some((octet) => Number(octet) > 255) || Number(match[5]) > 32) {
      throw new ShoalError("invalid_argument", `invalid default address pool ${JSON.stringify(cidr)}: give IPv4 CIDRs such as 10.0.0.0/8`);
    }
  }
  const subnetSize = count(body, "SubnetSize", 32);
  const spec = body.Spec ?? null;
  if (spec !== null && (typeof spec !== "object" || Array.isArray(spec))) throw invalid("Spec", "an object");
  return {
    ListenAddr: text(body, "ListenAddr"),
    AdvertiseAddr: text(body, "AdvertiseAddr"),
    DataPathAddr: text(body, "DataPathAddr"),
    DataPathPort: count(body, "DataPathPort", 65535),
    ForceNewCluster: flag(body, "ForceNewCluster"),
    Spec: spec as RequestedSwarmSpec | null,
    AutoLockManagers: flag(body, "AutoLockManagers"),
    Availability: availability as NodeAvailability | "",
    DefaultAddrPool: pool as string[],
    SubnetSize: subnetSize,
  };
}
