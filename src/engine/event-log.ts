/** One event in docker's `/events` shape. */
export interface EngineEvent {
  Type: "container" | "image" | "volume" | "network" | "daemon" | "node" | "service" | "secret" | "config";
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  /** `swarm` for changes of swarm objects, reported by managers. */
  scope: "local" | "swarm";
  time: number;
  timeNano: number;
  /** Legacy fields docker still sends for containers and images. */
  status?: string;
  id?: string;
  from?: string;
}

/**
 * The engine's events: kept in a bounded ring (so `docker events --since` can look back) and
 * pushed to every subscriber as they happen.
 */
export class EventLog {
  readonly #capacity: number;
  readonly #recent: EngineEvent[] = [];
  readonly #listeners = new Set<(event: EngineEvent) => void>();

  constructor(capacity = 1024) {
    this.#capacity = capacity;
  }

  /** Records and publishes an event about `id`. */
  emit(type: EngineEvent["Type"], action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    const nanos = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: "local",
      time: Number(nanos / 1_000_000_000n),
      timeNano: Number(nanos),
    };
    if (type === "container" || type === "image") {
      event.status = action;
      event.id = id;
      if (attributes.image) event.from = attributes.image;
    }
    this.#recent.push(event);
    if (this.#recent.length > this.#capacity) this.#recent.shift();
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /** Records and publishes a change of a swarm object (scope `swarm`), stamped when it happened. */
  emitSwarm(type: "node" | "service" | "network" | "secret" | "config", action: string, id: string, attributes: Record<string, string>, timeNano: number): EngineEvent {
    const event: EngineEvent = { Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: "swarm", time: Math.floor(timeNano / 1e9), timeNano };
    this.#recent.push(event);
    if (this.#recent.length > this.#capacity) this.#recent.shift();
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /** Events kept from at or after `sinceNano`. */
  since(sinceNano: number): EngineEvent[] {
    return this.#recent.filter((event) => event.timeNano >= sinceNano);
  }

  /** Calls `listener` with every new event until the returned function is called. */
  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
