/**
 * A reliable, ordered byte pipe between two peers (a TLS socket, or an in-memory pair in tests).
 * The mux runs on top of it.
 */
export interface ByteChannel {
  /** Queues bytes; false means the pipe is full and the writer should wait for `onDrain`. */
  write(data: Uint8Array): boolean;
  /** Sets the receiver of incoming bytes. */
  onData(listener: (data: Uint8Array) => void): void;
  /** Called when a full pipe can take writes again. */
  onDrain(listener: () => void): void;
  /** Called once when the pipe is gone, with the error that ended it if any. */
  onClose(listener: (error?: Error) => void): void;
  /** Ends the pipe after what was written is flushed. */
  end(): void;
  /** Tears the pipe down at once. */
  destroy(error?: Error): void;
}

/** Controls over one end of an in-memory channel pair, for tests. */
export interface MemoryChannel extends ByteChannel {
  /** Silently drops everything this end writes from now on (a blackholed peer). */
  blackhole(): void;
  /** Bytes this end wrote that the other end has not consumed yet. */
  readonly queuedBytes: number;
}

/** Options of {@link memoryChannelPair}. */
export interface MemoryChannelOptions {
  /** Bytes a writer may have in flight before `write` returns false (default 1 MiB). */
  highWaterMark?: number;
}

/** Two connected in-memory channels; delivery is asynchronous, as on a socket. */
export function memoryChannelPair(options: MemoryChannelOptions = {}): [MemoryChannel, MemoryChannel] {
  const highWaterMark = options.highWaterMark ?? 1024 * 1024;
  interface End {
    channel: MemoryChannel;
    dataListener?: (data: Uint8Array) => void;
    drainListener?: () => void;
    closeListeners: ((error?: Error) => void)[];
    queued: Uint8Array[];
    queuedBytes: number;
    wantsDrain: boolean;
    blackholed: boolean;
    closed: boolean;
    scheduled: boolean;
  }
  const ends: End[] = [];
  const closeBoth = (error?: Error) => {
    for (const end of ends) {
      if (end.closed) continue;
      end.closed = true;
      for (const listener of end.closeListeners) listener(error);
    }
  };
  const deliver = (from: End, to: End) => {
    from.scheduled = false;
    while (from.queued.length > 0 && !to.closed) {
      const chunk = from.queued.shift()!;
      from.queuedBytes -= chunk.length;
      to.dataListener?.(chunk);
    }
    if (from.wantsDrain && from.queuedBytes < highWaterMark && !from.closed) {
      from.wantsDrain = false;
      from.drainListener?.();
    }
  };
  const make = (index: number): End => {
    const end: End = {
      closeListeners: [],
      queued: [],
      queuedBytes: 0,
      wantsDrain: false,
      blackholed: false,
      closed: false,
      scheduled: false,
      channel: {
        write(data) {
          if (end.closed) return false;
          if (end.blackholed) return true;
          end.queued.push(Uint8Array.from(data));
          end.queuedBytes += data.length;
          if (!end.scheduled) {
            end.scheduled = true;
            setImmediate(() => deliver(end, ends[1 - index]!));
          }
          if (end.queuedBytes >= highWaterMark) {
            end.wantsDrain = true;
            return false;
          }
          return true;
        },
        onData: (listener) => void (end.dataListener = listener),
        onDrain: (listener) => void (end.drainListener = listener),
        onClose: (listener) => void end.closeListeners.push(listener),
        end: () => setImmediate(() => closeBoth()),
        destroy: (error) => closeBoth(error),
        blackhole: () => void (end.blackholed = true),
        get queuedBytes() {
          return end.queuedBytes;
        },
      },
    };
    return end;
  };
  ends.push(make(0), make(1));
  return [ends[0]!.channel, ends[1]!.channel];
}
