/** Window and frame size every peer may assume before it hears the other side's SETTINGS. */
export const PROTOCOL_DEFAULTS = { window: 64 * 1024, maxFrameSize: 16 * 1024 } as const;

/** The limits one side of a mux connection enforces on what it receives, and its keepalive. */
export interface MuxLimits {
  /** Bytes the peer may send on one stream before the application reads them. */
  streamWindow: number;
  /** Bytes the peer may send on all streams together before the application reads them. */
  connectionWindow: number;
  /** Largest frame payload accepted. */
  maxFrameSize: number;
  /** Concurrent streams the peer may open; further opens are refused. */
  maxStreams: number;
  /** Control frames (resets, ping answers…) held for a peer that does not read before it is dropped. */
  maxControlQueue: number;
  /** A ping goes out when nothing has arrived for this long. */
  keepaliveIntervalMs: number;
  /** The connection is closed when nothing at all has arrived for this long. */
  keepaliveTimeoutMs: number;
}

/** Limits shoal uses unless told otherwise. */
export const DEFAULT_MUX_LIMITS: MuxLimits = {
  streamWindow: 1024 * 1024,
  connectionWindow: 8 * 1024 * 1024,
  maxFrameSize: 64 * 1024,
  maxStreams: 4096,
  maxControlQueue: 10_000,
  keepaliveIntervalMs: 5_000,
  keepaliveTimeoutMs: 15_000,
};

/** The largest window a peer may hold (31 bits). */
export const MAX_WINDOW = 0x7fffffff;
