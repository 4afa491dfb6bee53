import { CliError, DaemonError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { pullImage } from "../image/pull.ts";
import type { CreateResponse } from "./api-types.ts";
import type { CreateFlags } from "./create-flags.ts";
import { buildCreateRequest, CreateFlagError, type CreateRequest } from "./create-request.ts";

/** The usage line docker prints with flag errors. */
const USAGE: Record<string, string> = {
  run: "shoal run [OPTIONS] IMAGE [COMMAND] [ARG...]",
  create: "shoal create [OPTIONS] IMAGE [COMMAND] [ARG...]",
};

/** A run/create failure as docker reports it: `shoal: <message>` and a pointer to help, exit 125. */
export function statusError(command: string, message: string, exitCode = 125): CliError {
  return new CliError(`shoal: ${message}\n\nRun 'shoal ${command} --help' for more information`, exitCode);
}

/** Builds the create request, turning a bad flag value into docker's message and exit code 125. */
export function parseCreateFlags(ctx: CliContext, command: "run" | "create", image: string, args: string[], flags: CreateFlags): CreateRequest {
  try {
    return buildCreateRequest(image, args, flags, { env: ctx.env, consoleSize: ctx.streams.terminalSize() });
  } catch (error) {
    if (!(error instanceof CreateFlagError)) throw error;
    if (error.kind === "parse") throw statusError(command, error.message);
    throw new CliError(`${error.message}\n\nUsage:  ${USAGE[command]}\n\nRun 'shoal ${command} --help' for more information`, 125);
  }
}

/** Docker's familiar name with the tag made explicit (`nginx` → `nginx:latest`), for "Unable to find image". */
export function taggedReference(image: string): string {
  if (image.includes("@")) return image;
  return image.lastIndexOf(":") > image.lastIndexOf("/") ? image : `${image}:latest`;
}

/**
 * Creates a container as docker's createContainer does: pulls first with `--pull always`; on
 * "no such image" (404) with `--pull missing` prints "Unable to find image 'x' locally", pulls
 * with progress on stderr and tries again. Prints the daemon's warnings; returns the ID.
 */
export async function createContainer(ctx: CliContext, request: CreateRequest, quiet = false): Promise<string> {
  const image = String(request.body.Image);
  const progress = (text: string) => {
    if (!quiet) ctx.err(text);
  };
  if (request.pull === "always") await pullImage(ctx, image, progress);
  const create = () => ctx.client.json<CreateResponse>("POST", "/containers/create", { query: { name: request.name, platform: request.platform }, body: request.body });
  let response: CreateResponse;
  try {
    response = await create();
  } catch (error) {
    if (!(error instanceof DaemonError && error.status === 404 && request.pull === "missing")) throw error;
    progress(`Unable to find image '${taggedReference(image)}' locally\n`);
    await pullImage(ctx, image, progress);
    response = await create();
  }
  for (const warning of response.Warnings ?? []) ctx.err(`WARNING: ${warning}\n`);
  return response.Id;
}

/** `shoal create [OPTIONS] IMAGE [COMMAND] [ARG...]`: creates a container and prints its ID. */
export async function createCommand(ctx: CliContext, image: string, args: string[], flags: CreateFlags): Promise<void> {
  const request = parseCreateFlags(ctx, "create", image, args, flags);
  ctx.out(`${await createContainer(ctx, request, flags.quiet)}\n`);
}
