import { closeSync, constants, fstatSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { ShoalError, sleep, systemClock, type Clock } from "../lib/index.ts";

/** One line of a container's log (conmon's k8s-file format). */
export interface LogLine {
  time: string;
  stream: "stdout" | "stderr";
  text: string;
  /** False when the line was cut (a partial line, `P`). */
  complete: boolean;
}

/** docker's `max-size` and `max-file` log options; no limit when `maxSizeBytes` is not given. */
export interface LogLimits {
  maxSizeBytes?: number;
  /** How many files to keep, the current one included; 1 when not given (as docker). */
  maxFiles?: number;
}

/** Options of {@link followLog}: docker's `--since` and `--tail`, and an end. */
export interface FollowLogOptions {
  since?: Date;
  /** Only the last `tail` existing lines (0: none); all when not given. Applied before `since`, as docker. */
  tail?: number;
  signal?: AbortSignal;
}

/** Parses one k8s-file record: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`. */
export function parseLogLine(line: string): LogLine | null {
  const match = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/s.exec(line);
  return match ? { time: match[1]!, stream: match[2] as "stdout" | "stderr", complete: match[3] === "F", text: match[4]! } : null;
}

/** Checks log limits and fills in docker's default of one file. */
export function normalizeLogLimits(limits: LogLimits | undefined): Required<LogLimits> | null {
  if (!limits || limits.maxSizeBytes === undefined) {
    if (limits?.maxFiles !== undefined && limits.maxFiles !== 1) throw new ShoalError("invalid_argument", "max-file can only be used with max-size");
    return null;
  }
  const { maxSizeBytes, maxFiles = 1 } = limits;
  if (!Number.isSafeInteger(maxSizeBytes) || maxSizeBytes <= 0) throw new ShoalError("invalid_argument", `invalid max-size ${maxSizeBytes}: give a positive number of bytes`);
  if (!Number.isSafeInteger(maxFiles) || maxFiles < 1) throw new ShoalError("invalid_argument", `invalid max-file ${maxFiles}: give a number of files of at least 1`);
  return { maxSizeBytes, maxFiles };
}

function tryStat(path: string): { ino: number; size: number } | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The path of rotated file `index` (0: the current log). */
function rotated(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

/** An open log file and how far it has been read. */
interface OpenLog {
  fd: number;
  ino: number;
  offset: number;
  /** Bytes after the last newline read so far (a record still being written). */
  rest: Buffer;
}

/**
 * Opens the current log and its rotated files, newest first, dropping a file seen twice (a
 * rotation between two opens shifts the names, never the inodes), and returns them oldest first:
 * read in that order they hold every line once.
 */
function openAll(path: string): OpenLog[] {
  const open: OpenLog[] = [];
  const seen = new Set<number>();
  let missing = 0;
  for (let index = 0; missing < 2; index++) {
    let fd: number;
    try {
      fd = openSync(rotated(path, index), constants.O_RDONLY);
    } catch {
      // The current log is missing between a rotation and conmon's reopen: look at the next one.
      missing += index === 0 ? 1 : 2;
      continue;
    }
    const ino = fstatSync(fd).ino;
    if (seen.has(ino)) closeSync(fd);
    else {
      seen.add(ino);
      open.push({ fd, ino, offset: 0, rest: Buffer.alloc(0) });
    }
  }
  return open.reverse();
}

const CHUNK = 64 * 1024;

/** Reads what `log` has beyond its offset, a chunk at a time, and yields the complete records of each chunk. */
function* readNew(log: OpenLog): Generator<LogLine[]> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const read = readSync(log.fd, buffer, 0, CHUNK, log.offset);
    if (read <= 0) return;
    log.offset += read;
    const text = Buffer.concat([log.rest, buffer.subarray(0, read)]);
    const end = text.lastIndexOf(0x0a);
    log.rest = Buffer.from(end < 0 ? text : text.subarray(end + 1));
    if (end < 0) continue;
    const lines: LogLine[] = [];
    for (const line of text.subarray(0, end).toString("utf8").split("\n")) {
      const parsed = parseLogLine(line);
      if (parsed) lines.push(parsed);
    }
    yield lines;
  }
}

/** All lines of a log and its rotated files, oldest first (a snapshot). */
export function readLogLines(path: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const log of openAll(path)) {
    try {
      for (const batch of readNew(log)) for (const line of batch) lines.push(line);
    } finally {
      closeSync(log.fd);
    }
  }
  return lines;
}

/** The rotated file whose inode is `ino`, as an index, or null when it is gone. */
function indexOfInode(path: string, ino: number, maxIndex: number): number | null {
  for (let index = 0; index <= maxIndex; index++) if (tryStat(rotated(path, index))?.ino === ino) return index;
  return null;
}

/** The highest index of an existing rotated file (0 when only the current log, or none, exists). */
function lastIndex(path: string): number {
  let index = 0;
  while (tryStat(rotated(path, index + 1))) index++;
  return index;
}

/**
 * The log's lines, then new ones as conmon appends them, across rotations, until `exited()` is
 * true and everything was read, or until the signal aborts. Polls every `pollMs` (a stat and a
 * read when idle). A follower that falls more than max-file rotations behind loses the files
 * removed meanwhile and goes on from the oldest one left.
 */
export async function* followLog(path: string, exited: () => boolean, options: FollowLogOptions = {}, clock: Clock = systemClock, pollMs = 100): AsyncGenerator<LogLine> {
  const since = options.since?.getTime();
  const wanted = (line: LogLine) => since === undefined || Date.parse(line.time) >= since;
  const open = new Set<number>();
  const close = (log: OpenLog) => open.delete(log.fd) && closeSync(log.fd);
  try {
    // The existing lines: every file is read, and all but the newest closed. With a tail only the
    // last lines are kept in memory (a log without max-size can be large).
    const files = openAll(path);
    for (const log of files) open.add(log.fd);
    let current: OpenLog | null = files.at(-1) ?? null;
    const tail = options.tail !== undefined && options.tail >= 0 ? options.tail : null;
    let last: LogLine[] = [];
    for (const log of files) {
      for (const batch of readNew(log)) {
        if (tail === null) {
          for (const line of batch) if (wanted(line)) yield line;
          continue;
        }
        last = last.concat(batch);
        if (last.length > tail) last = last.slice(last.length - tail);
      }
      if (log !== current) close(log);
    }
    for (const line of last) if (wanted(line)) yield line;
    for (;;) {
      if (options.signal?.aborted) return;
      const done = exited();
      if (current) for (const batch of readNew(current)) for (const line of batch) if (wanted(line)) yield line;
      const now = tryStat(path);
      if (now && now.ino !== current?.ino) {
        // Rotated (or created): conmon has reopened, so `current` is complete. Go on with the file
        // that came after it, or with the oldest one left when it has been removed.
        let next = lastIndex(path);
        if (current) {
          for (const batch of readNew(current)) for (const line of batch) if (wanted(line)) yield line;
          const at = indexOfInode(path, current.ino, next + 1);
          if (at !== null && at > 0) next = at - 1;
          close(current);
          current = null;
        }
        try {
          const fd = openSync(rotated(path, next), constants.O_RDONLY);
          open.add(fd);
          current = { fd, ino: fstatSync(fd).ino, offset: 0, rest: Buffer.alloc(0) };
        } catch {
          // rotated again meanwhile: look again at once
        }
        continue;
      }
      if (done) return;
      try {
        await sleep(clock, pollMs, options.signal);
      } catch {
        return;
      }
    }
  } finally {
    for (const fd of open) closeSync(fd);
  }
}

/** What rotating one container's log needs. */
export interface LogRotationTarget {
  path: string;
  limits: Required<LogLimits>;
  /** Asks conmon to reopen its log (it then creates a new file at `path`); false when it is gone. */
  reopen(): boolean;
}

/**
 * One rotation check: when the current log is over max-size, removes the oldest kept file, shifts
 * `path.i` to `path.i+1`, renames the log to `path.1` (with max-file 1: removes it) and asks conmon
 * to reopen.
 * Does nothing while conmon has not reopened since the last rotation (`path` is missing), so the
 * file conmon still writes is never moved twice or removed. Returns true when it rotated.
 */
export function rotateLog(target: LogRotationTarget): boolean {
  const { path, limits } = target;
  const current = tryStat(path);
  if (!current) return false;
  // Files at max-file and beyond are no longer written (conmon writes `path`): drop them.
  for (let index = limits.maxFiles; tryStat(rotated(path, index)); index++) unlinkSync(rotated(path, index));
  if (current.size <= limits.maxSizeBytes) return false;
  if (limits.maxFiles === 1) {
    // No file to keep: conmon writes into the removed file until it reopens (those lines are
    // dropped with the rest, as docker's max-file 1 truncates).
    unlinkSync(path);
  } else {
    // The oldest kept file goes first, so there are never more than max-file files.
    if (tryStat(rotated(path, limits.maxFiles - 1))) unlinkSync(rotated(path, limits.maxFiles - 1));
    for (let index = limits.maxFiles - 2; index >= 1; index--) {
      if (tryStat(rotated(path, index))) renameSync(rotated(path, index), rotated(path, index + 1));
    }
    renameSync(path, rotated(path, 1));
  }
  target.reopen();
  return true;
}

/** conmon's ctl fifo message that makes it reopen its log files (`REOPEN_LOGS_EVENT` = 2). */
const REOPEN_LOGS = Buffer.from("2 0 0\n");

/** Asks the conmon owning the ctl fifo at `ctlPath` to reopen its log; false when no conmon reads it. */
export function requestLogReopen(ctlPath: string): boolean {
  let fd: number;
  try {
    // Non-blocking: opening a fifo nobody reads fails with ENXIO instead of waiting forever.
    fd = openSync(ctlPath, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    return writeSync(fd, REOPEN_LOGS) === REOPEN_LOGS.length;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
