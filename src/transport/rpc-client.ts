import { ShoalError, systemClock, type Clock } from "../lib/index.ts";
import type { MuxSession } from "./mux-session.ts";
import type { MuxStream } from "./mux-stream.ts";
import { MessageReader, encodeHeader, encodeMessage } from "./rpc-codec.ts";
import type { StreamMethod, UnaryMethod } from "./rpc-method.ts";

/** Per-call options. */
export interface CallOptions {
  /** Give up (deadline_exceeded) after this many milliseconds; 0 or absent waits forever. */
  timeoutMs?: number;
  /** Cancels the call (the server's handler sees its signal abort). */
  signal?: AbortSignal;
}

/** Makes typed calls over one mux session. */
export class RpcClient {
  readonly session: MuxSession;
  readonly #clock: Clock;

  constructor(session: MuxSession, clock: Clock = systemClock) {
    this.session = session;
    this.#clock = clock;
  }

  /** Calls a unary method and waits for its response. */
  async call<Request, Response>(method: UnaryMethod<Request, Response>, request: Request, options: CallOptions = {}): Promise<Response> {
    const { stream, done } = await this.#start(method.name, request, options);
    try {
      const reader = new MessageReader(stream);
      const reply = await reader.next();
      if (reply.done) throw new ShoalError("internal", `${method.name} ended without a response`);
      return reply.value as Response;
    } catch (error) {
      throw stream.error ?? error;
    } finally {
      done();
    }
  }

  /** Calls a streaming method; iterate the result for its messages (breaking out cancels the call). */
  async *stream<Request, Message>(method: StreamMethod<Request, Message>, request: Request, options: CallOptions = {}): AsyncGenerator<Message> {
    const { stream, done } = await this.#start(method.name, request, options);
    let finished = false;
    try {
      const reader = new MessageReader(stream);
      for (;;) {
        let next;
        try {
          next = await reader.next();
        } catch (error) {
          throw stream.error ?? error;
        }
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value as Message;
      }
    } finally {
      if (!finished) stream.reset(new ShoalError("cancelled", `${method.name} was cancelled by the caller`));
      done();
    }
  }

  /** Opens the call's stream, sends the request, and arms its deadline and cancellation. */
  async #start(name: string, request: unknown, options: CallOptions): Promise<{ stream: MuxStream; done: () => void }> {
    if (options.signal?.aborted) throw new ShoalError("cancelled", `${name} was cancelled by the caller`);
    const timeoutMs = Math.max(0, Math.ceil(options.timeoutMs ?? 0));
    const header = encodeHeader({ m: name, t: timeoutMs });
    const stream = this.session.tryOpenStream(header) ?? (await this.session.openStream(header));
    const timer =
      timeoutMs > 0
        ? this.#clock.setTimeout(() => stream.reset(new ShoalError("deadline_exceeded", `${name} did not answer within ${timeoutMs} ms`)), timeoutMs)
        : null;
    const onAbort = () => stream.reset(new ShoalError("cancelled", `${name} was cancelled by the caller`));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => {
      timer?.cancel();
      options.signal?.removeEventListener("abort", onAbort);
    };
    try {
      // OPEN, the request and the end of the stream go out together, in one frame batch.
      const written = stream.write(encodeMessage(request));
      stream.end();
      await written;
    } catch (error) {
      done();
      throw stream.error ?? error;
    }
    return { stream, done };
  }
}
