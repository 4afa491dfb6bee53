import type { MethodAccess } from "./peer-identity.ts";

/** A request/response method, typed on both ends. */
export interface UnaryMethod<Request, Response> {
  readonly kind: "unary";
  readonly name: string;
  readonly access: MethodAccess;
  /** Type carriers only; never set. */
  readonly types?: { request: Request; response: Response };
}

/** A method answering one request with a stream of messages. */
export interface StreamMethod<Request, Message> {
  readonly kind: "stream";
  readonly name: string;
  readonly access: MethodAccess;
  /** Type carriers only; never set. */
  readonly types?: { request: Request; message: Message };
}

/** Declares a unary method (`Service.Method`) and who may call it. */
export function unaryMethod<Request, Response>(name: string, access: MethodAccess): UnaryMethod<Request, Response> {
  return { kind: "unary", name, access };
}

/** Declares a server-streaming method and who may call it. */
export function streamMethod<Request, Message>(name: string, access: MethodAccess): StreamMethod<Request, Message> {
  return { kind: "stream", name, access };
}
