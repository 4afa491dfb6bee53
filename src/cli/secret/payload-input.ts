/**
 * What `secret create` and `config create` send: the data read from a file or standard input as
 * docker's readSecretData / readConfigData read it (at most twice the swarm's limit, so a huge file
 * is not read whole; the managers refuse what is too large), and `--label` values checked by
 * docker's ValidateLabel.
 */
import { open } from "node:fs/promises";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { flagValueError } from "../swarm/swarm-flags.ts";

/** The most a create command reads: twice the swarm's limit (500 KiB for secrets, 1000 KiB for configs). */
export const READ_LIMITS = { secret: 2 * 500 * 1024, config: 2 * 1000 * 1024 } as const;

/** Go's words for a failed open or read (`open pw.txt: no such file or directory`). */
function goFileError(operation: "open" | "read", file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: "no such file or directory",
    EACCES: "permission denied",
    EISDIR: "is a directory",
    ENOTDIR: "not a directory",
    ELOOP: "too many levels of symbolic links",
  };
  return `${operation} ${file}: ${reasons[code ?? ""] ?? (error as Error).message}`;
}

async function readStdin(ctx: CliContext, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stop = new AbortController();
  for await (const chunk of ctx.streams.stdin(stop.signal)) {
    chunks.push(chunk.subarray(0, limit - size));
    size += Math.min(chunk.length, limit - size);
    if (size >= limit) {
      stop.abort();
      break;
    }
  }
  return Buffer.concat(chunks);
}

async function readFileUpTo(file: string, limit: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw new CliError(`error reading from ${file}: ${goFileError("open", file, error)}`);
  }
  try {
    const buffer = Buffer.alloc(limit);
    let size = 0;
    while (size < limit) {
      const { bytesRead } = await handle.read(buffer, size, limit - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
    }
    return buffer.subarray(0, size);
  } catch (error) {
    throw new CliError(`error reading from ${file}: ${goFileError("read", file, error)}`);
  } finally {
    await handle.close();
  }
}

/**
 * The data of a new secret or config: `-` is standard input, anything else a file; an empty one is
 * refused (`error reading from STDIN: data is empty`), as is no file at all (`secret file is required`).
 */
export async function readPayloadData(ctx: CliContext, kind: "secret" | "config", file: string | undefined): Promise<Uint8Array> {
  if (!file) throw new CliError(`${kind} file is required`);
  const limit = READ_LIMITS[kind];
  const data = file === "-" ? await readStdin(ctx, limit) : await readFileUpTo(file, limit);
  if (data.length === 0) throw new CliError(`error reading from ${file === "-" ? "STDIN" : file}: data is empty`);
  return data;
}

/**
 * `--label` values as a map (`a=b`; `a` → `a: ""`), each checked as docker's ValidateLabel checks it:
 * a name is required and may not contain white space (a flag error, exit 125).
 */
export function payloadLabels(command: string, values: readonly string[] = []): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf("=");
    const rawKey = equals < 0 ? value : value.slice(0, equals);
    const key = rawKey.replace(/^[ \t\n\v\f\r]+/, "");
    if (key === "") throw flagValueError(command, "-l, --label", value, `invalid label '${value}': empty name`);
    if (/[ \t\n\v\f\r]/.test(key)) throw flagValueError(command, "-l, --label", value, `label '${key}' contains whitespaces`);
    labels[rawKey] = equals < 0 ? "" : value.slice(equals + 1);
  }
  return labels;
}
