import { ShoalError, systemClock, type Clock, type Logger, type Timer, silentLogger } from "../lib/index.ts";
import type { ByteChannel } from "./byte-channel.ts";
import { FrameDecoder, FrameFlag, FrameType, MAX_STREAM_ID, encodeFrame, protocolError, type Frame } from "./frame.ts";
import { DEFAULT_MUX_LIMITS, MAX_WINDOW, PROTOCOL_DEFAULTS, type MuxLimits } from "./mux-limits.ts";
import { MuxStream, type StreamHost } from "./mux-stream.ts";
import { decodeWireError, encodeWireError } from "./wire-error.ts";

/** Which end of the connection this is: the dialer opens odd streams, the listener even ones. */
export type MuxSide = "client" | "server";

/** Options of a {@link MuxSession}. */
export interface MuxSessionOptions {
  side: MuxSide;
  limits?: Partial<MuxLimits>;
  clock?: Clock;
  logger?: Logger;
  /** Called for every stream the peer opens. */
  onStream?: (stream: MuxStream) => void;
}

/** Bytes gathered into one channel write by the scheduler. */
const WRITE_BATCH_BYTES = 256 * 1024;

interface PeerSettings {
  streamWindow: number;
  maxFrameSize: number;
  maxStreams: number;
}

/**
 * Many independent streams over one byte channel: OPEN/DATA/RESET frames, per-stream and
 * per-connection flow-control windows, a round-robin writer so that a large stream cannot starve
 * small ones, keepalive pings that close a silent connection, and graceful GOAWAY.
 */
export class MuxSession implements StreamHost {
  readonly side: MuxSide;
  readonly limits: MuxLimits;
  readonly #channel: ByteChannel;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onStream: (stream: MuxStream) => void;
  readonly #decoder: FrameDecoder;

  readonly #streams = new Map<number, MuxStream>();
  #nextLocalId: number;
  #lastPeerId = 0;
  #peerStreams = 0;
  #localStreams = 0;
  #slotWaiters: (() => void)[] = [];

  #peer: PeerSettings = { streamWindow: PROTOCOL_DEFAULTS.window, maxFrameSize: PROTOCOL_DEFAULTS.maxFrameSize, maxStreams: Number.MAX_SAFE_INTEGER };
  #connectionSendWindow: number = PROTOCOL_DEFAULTS.window;
  #connectionRecvWindow: number;
  #connectionUnacknowledged = 0;

  #control: Buffer[] = [];
  #ready: MuxStream[] = [];
  #blockedOnConnection = new Set<MuxStream>();
  #pumpScheduled = false;
  #channelFull = false;

  #lastReceivedAt: number;
  #pingSequence = 0n;
  #pings = new Map<bigint, { sentAt: number; resolve(rtt: number): void }>();
  #keepalive: Timer;

  #goingAway = false;
  #peerGoingAway = false;
  #closeError: ShoalError | null = null;
  #resolveClosed!: (error: ShoalError | null) => void;
  /** Resolves when the connection is gone, with the error that ended it (null for a clean end). */
  readonly closed: Promise<ShoalError | null>;

  constructor(channel: ByteChannel, options: MuxSessionOptions) {
    this.side = options.side;
    this.limits = { ...DEFAULT_MUX_LIMITS, ...options.limits };
    if (this.limits.streamWindow < PROTOCOL_DEFAULTS.window || this.limits.connectionWindow < PROTOCOL_DEFAULTS.window) {
      throw new ShoalError("invalid_argument", `mux windows must be at least ${PROTOCOL_DEFAULTS.window} bytes`);
    }
    if (this.limits.maxFrameSize < PROTOCOL_DEFAULTS.maxFrameSize) {
      throw new ShoalError("invalid_argument", `mux frames must be allowed at least ${PROTOCOL_DEFAULTS.maxFrameSize} bytes`);
    }
    this.#channel = channel;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#onStream = options.onStream ?? ((stream) => stream.reset(new ShoalError("unimplemented", "this peer accepts no streams")));
    this.#decoder = new FrameDecoder(this.limits.maxFrameSize);
    this.#nextLocalId = this.side === "client" ? 1 : 2;
    this.#connectionRecvWindow = this.limits.connectionWindow;
    this.#lastReceivedAt = this.#clock.now();
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));

    channel.onData((data) => this.#receive(data));
    channel.onDrain(() => {
      this.#channelFull = false;
      this.#schedulePump();
    });
    channel.onClose((error) => this.#terminate(new ShoalError("unavailable", error ? `connection lost: ${error.message}` : "connection closed by peer")));

    const settings = Buffer.alloc(12);
    settings.writeUInt32BE(this.limits.streamWindow, 0);
    settings.writeUInt32BE(this.limits.maxFrameSize, 4);
    settings.writeUInt32BE(this.limits.maxStreams, 8);
    this.#queueControl(encodeFrame(FrameType.SETTINGS, 0, 0, settings));
    if (this.limits.connectionWindow > PROTOCOL_DEFAULTS.window) {
      this.#queueControl(windowFrame(0, this.limits.connectionWindow - PROTOCOL_DEFAULTS.window));
    }
    this.#keepalive = this.#clock.setInterval(() => this.#checkKeepalive(), Math.max(1, Math.floor(this.limits.keepaliveIntervalMs / 2)));
  }

  /** Whether the session can still open streams. */
  get isOpen(): boolean {
    return !this.#closeError && !this.#goingAway && !this.#peerGoingAway;
  }

  /** Streams currently open. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /** Received bytes buffered across streams, waiting for the application. */
  get bufferedBytes(): number {
    let total = this.#decoder.bufferedBytes;
    for (const stream of this.#streams.values()) total += stream.bufferedBytes;
    return total;
  }

  /** Opens a stream carrying `header`; waits while the peer's concurrent-stream limit is reached. */
  async openStream(header: Uint8Array): Promise<MuxStream> {
    while (this.#localStreams >= this.#peer.maxStreams && this.isOpen) {
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    }
    return this.#open(header);
  }

  /**
   * Opens a stream now, or returns null when the peer's concurrent-stream limit is reached or others
   * wait for a slot (then use {@link openStream}). What the caller writes before yielding leaves
   * with the OPEN frame, in one channel write, instead of one write each.
   */
  tryOpenStream(header: Uint8Array): MuxStream | null {
    if ((this.#localStreams >= this.#peer.maxStreams || this.#slotWaiters.length > 0) && this.isOpen) return null;
    return this.#open(header);
  }

  #open(header: Uint8Array): MuxStream {
    if (!this.isOpen) throw this.#closeError ?? new ShoalError("unavailable", "connection is going away");
    if (header.length > this.#peer.maxFrameSize) throw new ShoalError("invalid_argument", "stream header is larger than a frame");
    if (this.#nextLocalId > MAX_STREAM_ID) {
      this.goaway();
      throw new ShoalError("unavailable", "connection ran out of stream ids");
    }
    const id = this.#nextLocalId;
    this.#nextLocalId += 2;
    const stream = new MuxStream(this, id, header, this.#peer.streamWindow, this.limits.streamWindow);
    this.#streams.set(id, stream);
    this.#localStreams++;
    this.#queueControl(encodeFrame(FrameType.OPEN, 0, id, header));
    return stream;
  }

  /** Measures a round trip with a PING. */
  ping(): Promise<number> {
    if (this.#closeError) return Promise.reject(this.#closeError);
    const sequence = ++this.#pingSequence;
    return new Promise((resolve) => {
      this.#pings.set(sequence, { sentAt: this.#clock.now(), resolve });
      this.#queueControl(encodeFrame(FrameType.PING, 0, 0, pingPayload(sequence)));
    });
  }

  /** Refuses new streams from now on, lets open ones finish, then ends the connection. */
  goaway(reason: ShoalError = new ShoalError("unavailable", "peer is shutting down")): void {
    if (this.#goingAway || this.#closeError) return;
    this.#goingAway = true;
    const payload = Buffer.concat([u32(this.#lastPeerId), encodeWireError(reason)]);
    this.#queueControl(encodeFrame(FrameType.GOAWAY, 0, 0, payload));
    this.#wakeSlotWaiters();
    this.#endIfIdle();
  }

  /** Closes the connection now; open streams fail with `error`. */
  close(error: ShoalError = new ShoalError("unavailable", "connection closed")): void {
    this.#terminate(error);
  }

  // ---- StreamHost -------------------------------------------------------------------------

  /** @internal */
  markReady(stream: MuxStream): void {
    if (this.#closeError || stream.queued || !this.#streams.has(stream.id)) return;
    stream.queued = true;
    this.#ready.push(stream);
    this.#schedulePump();
  }

  /** @internal */
  consumed(stream: MuxStream, bytes: number): void {
    if (this.#closeError || !this.#streams.has(stream.id)) return; // retired streams were credited at retirement
    this.#creditConnection(bytes);
    stream.unacknowledged += bytes;
    if (!stream.remoteEnded && stream.unacknowledged >= this.limits.streamWindow / 2) {
      stream.recvWindow += stream.unacknowledged;
      this.#queueControl(windowFrame(stream.id, stream.unacknowledged));
      stream.unacknowledged = 0;
    }
  }

  /** @internal */
  sendReset(stream: MuxStream, error: ShoalError): void {
    if (!this.#closeError) this.#queueControl(encodeFrame(FrameType.RESET, 0, stream.id, encodeWireError(error)));
  }

  /** @internal */
  retire(stream: MuxStream): void {
    if (this.#streams.get(stream.id) !== stream) return;
    this.#streams.delete(stream.id);
    stream.markRetired();
    this.#blockedOnConnection.delete(stream);
    // Bytes the application never read no longer count against the connection.
    this.#creditConnection(stream.bufferedBytes);
    if (this.#isLocal(stream.id)) {
      this.#localStreams--;
      this.#slotWaiters.shift()?.();
    } else {
      this.#peerStreams--;
    }
    this.#endIfIdle();
  }

  // ---- receiving --------------------------------------------------------------------------

  #receive(data: Uint8Array): void {
    if (this.#closeError) return;
    this.#lastReceivedAt = this.#clock.now();
    try {
      for (const frame of this.#decoder.push(data)) this.#handle(frame);
    } catch (error) {
      const failure = error instanceof ShoalError ? error : protocolError(String(error));
      this.#logger.warn("closing connection: peer broke the protocol", { error: failure.message });
      this.#terminate(failure);
    }
  }

  #handle(frame: Frame): void {
    switch (frame.type) {
      case FrameType.DATA:
        return this.#onData(frame);
      case FrameType.OPEN:
        return this.#onOpen(frame);
      case FrameType.RESET: {
        const stream = this.#streams.get(frame.streamId);
        if (stream) stream.receiveReset(decodeWireError(frame.payload));
        else this.#checkKnownStream(frame.streamId);
        return;
      }
      case FrameType.WINDOW:
        return this.#onWindow(frame);
      case FrameType.PING:
        return this.#onPing(frame);
      case FrameType.GOAWAY:
        return this.#onGoaway(frame);
      case FrameType.SETTINGS:
        return this.#onSettings(frame);
    }
  }

  #onOpen(frame: Frame): void {
    const id = frame.streamId;
    if (this.#isLocal(id) || id === 0) throw protocolError(`peer opened stream ${id}, which is not its to open`);
    if (id <= this.#lastPeerId) throw protocolError(`peer reopened stream ${id}`);
    this.#lastPeerId = id;
    if (this.#goingAway) {
      this.#queueControl(encodeFrame(FrameType.RESET, 0, id, encodeWireError(new ShoalError("unavailable", "connection is going away"))));
      return;
    }
    if (this.#peerStreams >= this.limits.maxStreams) {
      const error = new ShoalError("resource_exhausted", `too many concurrent streams (limit ${this.limits.maxStreams})`);
      this.#queueControl(encodeFrame(FrameType.RESET, 0, id, encodeWireError(error)));
      return;
    }
    const stream = new MuxStream(this, id, Uint8Array.from(frame.payload), this.#peer.streamWindow, this.limits.streamWindow);
    this.#streams.set(id, stream);
    this.#peerStreams++;
    this.#onStream(stream);
  }

  #onData(frame: Frame): void {
    const length = frame.payload.length;
    if (length > this.#connectionRecvWindow) throw protocolError("peer overran the connection window");
    this.#connectionRecvWindow -= length;
    const stream = this.#streams.get(frame.streamId);
    if (!stream) {
      // Late data for a stream already finished here: give the window back and drop it.
      this.#checkKnownStream(frame.streamId);
      this.#creditConnection(length);
      return;
    }
    if (length > stream.recvWindow) throw protocolError(`peer overran the window of stream ${stream.id}`);
    stream.recvWindow -= length;
    stream.receive(frame.payload, (frame.flags & FrameFlag.END_STREAM) !== 0);
  }

  #onWindow(frame: Frame): void {
    if (frame.payload.length !== 4) throw protocolError("WINDOW frame of the wrong size");
    const increment = Buffer.from(frame.payload).readUInt32BE(0);
    if (increment === 0) throw protocolError("WINDOW frame of zero");
    if (frame.streamId === 0) {
      this.#connectionSendWindow += increment;
      if (this.#connectionSendWindow > MAX_WINDOW) throw protocolError("connection window overflow");
      for (const stream of this.#blockedOnConnection) this.markReady(stream);
      this.#blockedOnConnection.clear();
      return;
    }
    const stream = this.#streams.get(frame.streamId);
    if (!stream) return this.#checkKnownStream(frame.streamId);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) throw protocolError(`window overflow on stream ${stream.id}`);
    if (stream.hasPendingData) this.markReady(stream);
  }

  #onPing(frame: Frame): void {
    if (frame.payload.length !== 8) throw protocolError("PING frame of the wrong size");
    if (frame.flags & FrameFlag.ACK) {
      const sequence = Buffer.from(frame.payload).readBigUInt64BE(0);
      const ping = this.#pings.get(sequence);
      if (ping) {
        this.#pings.delete(sequence);
        ping.resolve(this.#clock.now() - ping.sentAt);
      }
      return;
    }
    this.#queueControl(encodeFrame(FrameType.PING, FrameFlag.ACK, 0, frame.payload));
  }

  #onGoaway(frame: Frame): void {
    if (frame.payload.length < 4) throw protocolError("GOAWAY frame too short");
    const lastProcessed = Buffer.from(frame.payload).readUInt32BE(0);
    const reason = decodeWireError(frame.payload.subarray(4));
    this.#peerGoingAway = true;
    this.#logger.debug("peer is going away", { reason: reason.message });
    // Streams the peer never saw can be retried elsewhere.
    for (const stream of [...this.#streams.values()]) {
      if (this.#isLocal(stream.id) && stream.id > lastProcessed) {
        stream.receiveReset(new ShoalError("unavailable", `peer is going away before handling the call: ${reason.message}`));
      }
    }
    this.#wakeSlotWaiters();
    this.#endIfIdle();
  }

  #onSettings(frame: Frame): void {
    if (frame.payload.length !== 12) throw protocolError("SETTINGS frame of the wrong size");
    const payload = Buffer.from(frame.payload);
    const settings: PeerSettings = {
      streamWindow: payload.readUInt32BE(0),
      maxFrameSize: payload.readUInt32BE(4),
      maxStreams: payload.readUInt32BE(8),
    };
    if (settings.streamWindow < PROTOCOL_DEFAULTS.window || settings.streamWindow > MAX_WINDOW) throw protocolError("SETTINGS stream window out of range");
    if (settings.maxFrameSize < PROTOCOL_DEFAULTS.maxFrameSize) throw protocolError("SETTINGS frame size below the protocol minimum");
    const delta = settings.streamWindow - this.#peer.streamWindow;
    this.#peer = settings;
    for (const stream of this.#streams.values()) {
      stream.sendWindow += delta;
      if (stream.hasPendingData) this.markReady(stream);
    }
    this.#wakeSlotWaiters();
  }

  /** A frame named a stream this session does not hold: fine if it existed once, a violation if never. */
  #checkKnownStream(id: number): void {
    const known = this.#isLocal(id) ? id < this.#nextLocalId : id <= this.#lastPeerId;
    if (!known) throw protocolError(`frame for stream ${id}, which was never opened`);
  }

  #creditConnection(bytes: number): void {
    if (bytes <= 0) return;
    this.#connectionUnacknowledged += bytes;
    if (this.#connectionUnacknowledged >= this.limits.connectionWindow / 4) {
      this.#connectionRecvWindow += this.#connectionUnacknowledged;
      this.#queueControl(windowFrame(0, this.#connectionUnacknowledged));
      this.#connectionUnacknowledged = 0;
    }
  }

  // ---- sending ----------------------------------------------------------------------------

  #queueControl(frame: Buffer): void {
    if (this.#closeError) return;
    this.#control.push(frame);
    if (this.#channelFull && this.#control.length > this.limits.maxControlQueue) {
      this.#terminate(new ShoalError("unavailable", "peer stopped reading: too many control frames waiting"));
      return;
    }
    this.#schedulePump();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || this.#closeError) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => this.#pump());
  }

  /** Writes control frames first, then data frames taken one per stream in turn. */
  #pump(): void {
    this.#pumpScheduled = false;
    while (!this.#closeError && !this.#channelFull) {
      const parts = this.#control;
      this.#control = [];
      let bytes = 0;
      for (const part of parts) bytes += part.length;
      while (bytes < WRITE_BATCH_BYTES && this.#ready.length > 0) {
        const stream = this.#ready.shift()!;
        stream.queued = false;
        const taken = stream.takeFrame(this.#peer.maxFrameSize, this.#connectionSendWindow);
        if (taken) {
          this.#connectionSendWindow -= taken.dataBytes;
          parts.push(taken.frame);
          bytes += taken.frame.length;
        }
        if (stream.sendable(this.#connectionSendWindow)) {
          stream.queued = true;
          this.#ready.push(stream);
        } else if (stream.hasPendingData && stream.sendWindow > 0 && this.#connectionSendWindow <= 0) {
          this.#blockedOnConnection.add(stream);
        }
      }
      if (parts.length === 0) return;
      if (!this.#channel.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes))) this.#channelFull = true;
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------

  #checkKeepalive(): void {
    const silentFor = this.#clock.now() - this.#lastReceivedAt;
    if (silentFor >= this.limits.keepaliveTimeoutMs) {
      this.#terminate(new ShoalError("unavailable", `peer did not answer keepalive pings for ${Math.round(silentFor / 1000)}s`));
      return;
    }
    if (silentFor >= this.limits.keepaliveIntervalMs) {
      this.#queueControl(encodeFrame(FrameType.PING, 0, 0, pingPayload(0n)));
    }
  }

  #endIfIdle(): void {
    if ((this.#goingAway || this.#peerGoingAway) && this.#streams.size === 0 && !this.#closeError) {
      // Let queued frames (the GOAWAY itself) reach the channel, then end it.
      queueMicrotask(() => {
        this.#pump();
        if (this.#closeError) return;
        this.#channel.end();
        this.#terminate(new ShoalError("unavailable", "connection ended after goaway"), true);
      });
    }
  }

  #wakeSlotWaiters(): void {
    for (const wake of this.#slotWaiters.splice(0)) wake();
  }

  #terminate(error: ShoalError, clean = false): void {
    if (this.#closeError) return;
    this.#closeError = error;
    if (!clean) this.#logger.info("connection closed", { side: this.side, reason: error.message });
    this.#keepalive.cancel();
    for (const stream of [...this.#streams.values()]) stream.receiveReset(error);
    this.#streams.clear();
    this.#ready = [];
    this.#control = [];
    this.#blockedOnConnection.clear();
    this.#wakeSlotWaiters();
    if (!clean) this.#channel.destroy();
    this.#resolveClosed(clean ? null : error);
  }

  #isLocal(id: number): boolean {
    return this.side === "client" ? id % 2 === 1 : id % 2 === 0 && id !== 0;
  }
}

function u32(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(value, 0);
  return buffer;
}

function windowFrame(streamId: number, increment: number): Buffer {
  return encodeFrame(FrameType.WINDOW, 0, streamId, u32(increment));
}

function pingPayload(sequence: bigint): Buffer {
  const payload = Buffer.allocUnsafe(8);
  payload.writeBigUInt64BE(sequence, 0);
  return payload;
}
