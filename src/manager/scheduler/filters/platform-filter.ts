import type { Platform } from "../../../types/index.ts";
import { nodeCount, type Filter } from "./filter.ts";

/** Architecture names that mean the same CPU. */
const ARCHITECTURE_ALIASES: Record<string, string> = { x86_64: "amd64", aarch64: "arm64" };

function architecture(name: string): string {
  return ARCHITECTURE_ALIASES[name] ?? name;
}

/** True when `wanted` (an empty field matches anything) names the node's platform. */
export function platformMatches(wanted: Platform, node: Platform): boolean {
  return (!wanted.Architecture || architecture(wanted.Architecture) === architecture(node.Architecture)) && (!wanted.OS || wanted.OS === node.OS);
}

/** The node's OS and architecture must be one of `Placement.Platforms` (the image's platforms). */
export const platformFilter: Filter = {
  dynamic: false,
  enabled: (demand) => demand.platforms.length > 0,
  check: (demand, { node }) => {
    const platform = node?.Description?.Platform;
    return platform !== undefined && demand.platforms.some((wanted) => platformMatches(wanted, platform));
  },
  explain: (nodes) => `unsupported platform on ${nodeCount(nodes)}`,
};
