import { ShoalError, silentLogger, systemClock, type Clock, type Logger } from "../lib/index.ts";
import type { MuxStream } from "./mux-stream.ts";
import { mayCall, type MethodAccess, type PeerIdentity } from "./peer-identity.ts";
import { MessageReader, decodeHeader, encodeMessage, type CallHeader } from "./rpc-codec.ts";
import type { StreamMethod, UnaryMethod } from "./rpc-method.ts";

/** What a handler knows about the call it serves. */
export interface CallContext {
  readonly method: string;
  /** The caller, or null for a peer without a certificate (only `anonymous` methods). */
  readonly peer: PeerIdentity | null;
  /** Aborted when the caller cancels, the deadline passes or the connection drops. */
  readonly signal: AbortSignal;
}

/** Serves a unary method. */
export type UnaryHandler<Request, Response> = (request: Request, context: CallContext) => Response | Promise<Response>;

/** Serves a streaming method: every value the iterable yields goes to the caller. */
export type StreamHandler<Request, Message> = (request: Request, context: CallContext) => AsyncIterable<Message>;

interface Registration {
  kind: "unary" | "stream";
  access: MethodAccess;
  handle(request: unknown, context: CallContext, stream: MuxStream): Promise<void>;
}

/** Options of an {@link RpcServer}. */
export interface RpcServerOptions {
  clock?: Clock;
  logger?: Logger;
}

/**
 * The methods a node serves, each with who may call it. Every incoming stream is one call: the
 * header names the method, the request follows, the reply (one message, or many) goes back, and
 * errors travel as RESET with their code.
 */
export class RpcServer {
  readonly #methods = new Map<string, Registration>();
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: RpcServerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Serves a unary method. */
  unary<Request, Response>(method: UnaryMethod<Request, Response>, handler: UnaryHandler<Request, Response>): this {
    this.#register(method.name, {
      kind: "unary",
      access: method.access,
      async handle(request, context, stream) {
        const response = await handler(request as Request, context);
        // The response and the end of the stream in one frame.
        const written = stream.write(encodeMessage(response));
        stream.end();
        await written;
      },
    });
    return this;
  }

  /** Serves a server-streaming method. */
  stream<Request, Message>(method: StreamMethod<Request, Message>, handler: StreamHandler<Request, Message>): this {
    this.#register(method.name, {
      kind: "stream",
      access: method.access,
      async handle(request, context, stream) {
        for await (const message of handler(request as Request, context)) {
          if (context.signal.aborted) return;
          await stream.write(encodeMessage(message));
        }
        stream.end();
      },
    });
    return this;
  }

  #register(name: string, registration: Registration): void {
    if (this.#methods.has(name)) throw new ShoalError("already_exists", `method ${name} is served twice`);
    this.#methods.set(name, registration);
  }

  /** Serves one call arriving on `stream` from `peer`. */
  handleStream(stream: MuxStream, peer: PeerIdentity | null): void {
    void this.#serve(stream, peer);
  }

  async #serve(stream: MuxStream, peer: PeerIdentity | null): Promise<void> {
    let header: CallHeader;
    try {
      header = decodeHeader(stream.header);
    } catch (error) {
      stream.reset(error as ShoalError);
      return;
    }
    const registration = this.#methods.get(header.m);
    if (!registration) {
      stream.reset(new ShoalError("unimplemented", `unknown method ${header.m}`));
      return;
    }
    if (!mayCall(registration.access, peer)) {
      const who = peer ? `a ${peer.role} certificate (node ${peer.nodeId})` : "no certificate";
      stream.reset(new ShoalError("permission_denied", `${header.m} may not be called with ${who}`));
      return;
    }
    const controller = new AbortController();
    const onStreamAbort = () => controller.abort(stream.signal.reason);
    stream.signal.addEventListener("abort", onStreamAbort, { once: true });
    const deadline =
      header.t > 0
        ? this.#clock.setTimeout(() => {
            const error = new ShoalError("deadline_exceeded", `${header.m} did not finish within ${header.t} ms`);
            controller.abort(error);
            stream.reset(error);
          }, header.t)
        : null;
    const context: CallContext = { method: header.m, peer, signal: controller.signal };
    try {
      const reader = new MessageReader(stream);
      const request = await reader.next();
      if (request.done) throw new ShoalError("invalid_argument", `${header.m} was called without a request`);
      await registration.handle(request.value, context, stream);
    } catch (error) {
      if (!stream.signal.aborted) {
        if (error instanceof ShoalError) stream.reset(error);
        else {
          this.#logger.error("rpc handler failed", { method: header.m, error: String(error) });
          stream.reset(new ShoalError("internal", `${header.m} failed: internal error`));
        }
      }
    } finally {
      deadline?.cancel();
      stream.signal.removeEventListener("abort", onStreamAbort);
    }
  }
}
