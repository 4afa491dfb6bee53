import type { CliStreams } from "./streams.ts";

/** Reads one line of standard input (without its newline); undefined at end of file. */
export async function readLine(streams: CliStreams): Promise<string | undefined> {
  const stop = new AbortController();
  let line = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of streams.stdin(stop.signal)) {
      line += decoder.decode(chunk, { stream: true });
      const newline = line.search(/\r?\n|\r/);
      if (newline >= 0) return line.slice(0, newline);
    }
  } finally {
    stop.abort();
  }
  return line === "" ? undefined : line;
}

/**
 * Asks a yes/no question as docker's prune commands do (`Are you sure you want to continue? [y/N] `);
 * only `y`/`Y` (or yes) agrees.
 */
export async function confirm(streams: CliStreams, question: string): Promise<boolean> {
  streams.stdout(`${question} [y/N] `);
  const answer = ((await readLine(streams)) ?? "").trim().toLowerCase();
  return answer === "y" || answer === "yes";
}
