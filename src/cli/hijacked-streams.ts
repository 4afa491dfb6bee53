import type { CliStreams } from "./streams.ts";
import type { HijackedConnection } from "./hijack.ts";
import { copyOutput } from "./stream-demux.ts";

/** What a hijacked session carries: the container's output, and our stdin when `stdin` is set. */
export interface HijackedStreamsOptions {
  /** The container has a TTY: output is one raw stream and a terminal stdin goes raw. */
  tty: boolean;
  /** Forward standard input; at its end the connection is half-closed and output still read. */
  stdin: boolean;
}

/**
 * Pumps a hijacked connection as docker's hijackedIOStreamer does: output (raw or demultiplexed)
 * to stdout/stderr, stdin to the container with a half-close at end of file; with a TTY and a
 * terminal stdin, the terminal is raw for the duration. Resolves when the daemon ends the output.
 */
export async function streamHijacked(streams: CliStreams, connection: HijackedConnection, options: HijackedStreamsOptions): Promise<void> {
  const restore = options.tty && options.stdin && streams.stdinIsTerminal ? streams.makeRaw() : () => {};
  const stopInput = new AbortController();
  const input = options.stdin
    ? (async () => {
        try {
          for await (const chunk of streams.stdin(stopInput.signal)) await connection.write(chunk);
        } catch {
          // the connection went away; the output side reports it
        }
        restore();
        if (!stopInput.signal.aborted) connection.closeWrite();
      })()
    : Promise.resolve(connection.closeWrite()); // docker half-closes at once when stdin is not attached
  try {
    await copyOutput(connection.output, options.tty, { stdout: (data) => streams.stdout(data), stderr: (data) => streams.stderr(data) });
  } finally {
    stopInput.abort();
    restore();
    connection.close();
  }
  await input;
}
