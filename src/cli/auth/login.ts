import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { readLine } from "../prompt.ts";
import { dockerConfigPath, readDockerConfig, serverKey, storedAuth, writeDockerConfig } from "./docker-config.ts";

/** Flags of `shoal login`. */
export interface LoginOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

/** Reads all of standard input (for `--password-stdin`), without the trailing newline. */
async function readAll(ctx: CliContext): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of ctx.streams.stdin()) text += decoder.decode(chunk, { stream: true });
  return (text + decoder.decode()).replace(/\r?\n$/, "");
}

/** Asks for what is missing on the terminal, as docker's interactive login does. */
async function prompt(ctx: CliContext, label: string, secret: boolean): Promise<string> {
  if (!ctx.streams.stdinIsTerminal) throw new CliError("Error: Cannot perform an interactive login from a non TTY device");
  ctx.out(label);
  const restore = secret ? ctx.streams.makeRaw() : () => {};
  try {
    return ((await readLine(ctx.streams)) ?? "").trim();
  } finally {
    restore();
    if (secret) ctx.out("\n");
  }
}

/**
 * `shoal login [-u USER] [-p PASS | --password-stdin] [SERVER]`: checks the credentials with the
 * daemon (`POST /auth`) and stores them in docker's config.json (`auths[server].auth`, base64 of
 * `user:password`; DOCKER_CONFIG honoured), so pulls send them as X-Registry-Auth.
 */
export async function loginCommand(ctx: CliContext, server: string | undefined, options: LoginOptions): Promise<void> {
  let password = options.password;
  if (password !== undefined) {
    if (options.passwordStdin) throw new CliError("conflicting options: cannot specify both --password and --password-stdin");
    ctx.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  }
  if (options.passwordStdin) {
    if (!options.username) throw new CliError("the --password-stdin option requires --username to be set");
    password = await readAll(ctx);
  }
  const key = serverKey(server);
  const path = dockerConfigPath(ctx.env);
  const config = readDockerConfig(path);
  let username = options.username?.trim();
  if (!username) {
    const stored = storedAuth(config, key);
    username = await prompt(ctx, stored ? `Username (${stored.username}): ` : "Username: ", false);
    if (!username && stored) username = stored.username;
    if (!username) throw new CliError("Error: Non-null Username Required");
  }
  if (!password) {
    password = await prompt(ctx, "Password: ", true);
    if (!password) throw new CliError("Error: Password Required");
  }
  const reply = await ctx.client.json<{ Status?: string; IdentityToken?: string }>("POST", "/auth", { body: { username, password, serveraddress: key } });
  const entry: Record<string, string> = { auth: Buffer.from(`${username}:${reply.IdentityToken ? "" : password}`).toString("base64") };
  if (reply.IdentityToken) entry.identitytoken = reply.IdentityToken;
  writeDockerConfig(path, { ...config, auths: { ...config.auths, [key]: entry } });
  ctx.err(`WARNING! Your credentials are stored unencrypted in '${path}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
  ctx.out(`${reply.Status || "Login Succeeded"}\n`);
}
