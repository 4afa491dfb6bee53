import type { CliContext } from "../context.ts";
import { dockerConfigPath, readDockerConfig, serverKey, writeDockerConfig } from "./docker-config.ts";

/** `shoal logout [SERVER]`: removes the credentials stored for a registry from docker's config.json. */
export async function logoutCommand(ctx: CliContext, server: string | undefined): Promise<void> {
  const key = serverKey(server);
  const path = dockerConfigPath(ctx.env);
  const config = readDockerConfig(path);
  const auths = { ...config.auths };
  const stored = Object.keys(auths).filter((entry) => serverKey(entry) === key);
  if (stored.length === 0) {
    ctx.out(`Not logged in to ${key}\n`);
    return;
  }
  ctx.out(`Removing login credentials for ${key}\n`);
  for (const entry of stored) delete auths[entry];
  writeDockerConfig(path, { ...config, auths });
}
