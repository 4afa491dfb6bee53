/** A piece of a process's output; with a TTY everything is `stdout` (raw terminal bytes). */
export interface OutputChunk {
  stream: "stdout" | "stderr";
  data: Uint8Array;
}

/** An unbounded single-consumer queue of output chunks that ends once. */
export class ChunkQueue implements AsyncIterable<OutputChunk> {
  #items: OutputChunk[] = [];
  #bytes = 0;
  #ended = false;
  #wake: (() => void) | null = null;

  /** Bytes queued and not yet taken by the consumer. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(chunk: OutputChunk): void {
    if (this.#ended || chunk.data.length === 0) return;
    this.#items.push(chunk);
    this.#bytes += chunk.data.length;
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<OutputChunk> {
    for (;;) {
      const item = this.#items.shift();
      if (item) {
        this.#bytes -= item.data.length;
        yield item;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
  }
}
