/** Severity of a log line, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Values a log field may carry. */
export type LogValue = string | number | boolean | null | undefined;

/** Structured fields of a log line; keys are dotted (`task.id`, `module`). */
export type LogFields = Record<string, LogValue>;

/** Where formatted log lines go. */
export type LogSink = (line: string) => void;

/** A structured logger writing logfmt lines (`time=… level=… msg="…" key=value`). */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: LogFields): Logger;
}

/** True when `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return value in LEVEL_RANK;
}

/** Quotes a logfmt value when it holds spaces, quotes, `=` or is empty. */
export function logfmtValue(value: LogValue): string {
  if (value === null || value === undefined) return '""';
  const text = String(value);
  if (text !== "" && !/[\s"=\\]/.test(text)) return text;
  return JSON.stringify(text);
}

/** Formats one logfmt line. */
export function formatLogLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  let line = `time=${time.toISOString()} level=${level} msg=${logfmtValue(msg)}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    line += ` ${key}=${logfmtValue(value)}`;
  }
  return line;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  now?: () => Date;
  fields?: LogFields;
}

/** Makes a logger; by default it writes `info` and above to stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = LEVEL_RANK[options.level ?? "info"];
  const sink = options.sink ?? ((line: string) => process.stderr.write(line + "\n"));
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};
  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] < minimum) return;
    sink(formatLogLine(now(), level, msg, fields ? { ...base, ...fields } : base));
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    with: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (for tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ sink: () => {} });
