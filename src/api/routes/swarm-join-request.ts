import { ShoalError } from "../../lib/index.ts";
import type { NodeAvailability } from "../../types/index.ts";
import type { SwarmJoinRequest } from "../api-env.ts";

const AVAILABILITIES: readonly string[] = ["active", "pause", "drain"];

function invalid(field: string, what: string): ShoalError {
  return new ShoalError("invalid_argument", `invalid swarm join request: ${field} must be ${what}`);
}

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field] ?? "";
  if (typeof value !== "string") throw invalid(field, "a string");
  return value;
}

/** Checks the shape of `POST /swarm/join`'s body (addresses are checked where they are dialled or resolved). */
export function parseSwarmJoinRequest(body: Record<string, unknown>): SwarmJoinRequest {
  const availability = text(body, "Availability").toLowerCase();
  if (availability && !AVAILABILITIES.includes(availability)) throw invalid("Availability", "active, pause or drain");
  const remotes = body.RemoteAddrs ?? [];
  if (!Array.isArray(remotes) || !remotes.every((entry) => typeof entry === "string" && entry.length > 0)) throw invalid("RemoteAddrs", "a list of HOST:PORT strings");
  if (remotes.length === 0) throw new ShoalError("invalid_argument", "invalid swarm join request: give the address of a manager (RemoteAddrs)");
  const token = text(body, "JoinToken").trim();
  if (!token) throw new ShoalError("invalid_argument", "invalid swarm join request: a join token is required (--token)");
  return {
    ListenAddr: text(body, "ListenAddr"),
    AdvertiseAddr: text(body, "AdvertiseAddr"),
    DataPathAddr: text(body, "DataPathAddr"),
    RemoteAddrs: remotes as string[],
    JoinToken: token,
    Availability: availability as NodeAvailability | "",
  };
}
