/** A terminal's size in character cells, as the Engine API's resize calls take it. */
export interface TerminalSize {
  height: number;
  width: number;
}

/** The size of the terminal on standard output, or undefined when it is not one. */
export function terminalSize(): TerminalSize | undefined {
  if (!process.stdout.isTTY) return undefined;
  return { height: process.stdout.rows ?? 0, width: process.stdout.columns ?? 0 };
}

/**
 * Puts standard input in raw mode (no echo, no line editing, keys such as Ctrl-C passed through
 * to the container, as `docker run -it` does); returns the function that restores cooked mode.
 */
export function makeRaw(): () => void {
  if (!process.stdin.isTTY) return () => {};
  process.stdin.setRawMode(true);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    process.stdin.setRawMode(false);
  };
}

/** Calls `listener` on SIGWINCH (the output terminal was resized); returns the unsubscribe. */
export function onTerminalResize(listener: () => void): () => void {
  process.stdout.on("resize", listener);
  return () => void process.stdout.off("resize", listener);
}
