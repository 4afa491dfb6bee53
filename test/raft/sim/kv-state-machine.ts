import { Packr } from "msgpackr";
import type { StateMachine } from "../../../src/raft/raft-node.ts";
import type { LogEntry } from "../../../src/raft/raft-types.ts";

const packr = new Packr({ useRecords: false });

/** A command of the simulated key-value store. */
export type KvCommand = { op: "put"; key: string; value: string };

/** Encodes a command as raft entry data. */
export function encodeKv(command: KvCommand): Uint8Array {
  return packr.pack(command);
}

/** The simulated replicated state machine: a map of strings. */
export class KvStateMachine implements StateMachine {
  readonly data = new Map<string, string>();
  /** Every entry applied, in order (for the state-machine-safety invariant). */
  readonly appliedLog: { index: number; term: number }[] = [];

  apply(entry: LogEntry): unknown {
    const command = packr.unpack(entry.data) as KvCommand;
    this.appliedLog.push({ index: entry.index, term: entry.term });
    this.data.set(command.key, command.value);
    return null;
  }

  snapshot(): Uint8Array {
    return packr.pack([...this.data.entries()]);
  }

  restore(data: Uint8Array): void {
    this.data.clear();
    for (const [key, value] of packr.unpack(data) as [string, string][]) this.data.set(key, value);
  }
}
