/** lib: small pure helpers every layer may use. */
export { ERROR_CODES, ShoalError, isErrorCode, toShoalError } from "./errors.ts";
export type { ErrorCode } from "./errors.ts";
export { createLogger, formatLogLine, isLogLevel, logfmtValue, silentLogger } from "./log.ts";
export type { LogFields, LogLevel, LogSink, LogValue, Logger, LoggerOptions } from "./log.ts";
export { ID_LENGTH, base36, isId, newId } from "./id.ts";
export { API_VERSION, BUILD_INFO, MIN_API_VERSION, compareApiVersions, goArch } from "./build-info.ts";
export type { BuildInfo } from "./build-info.ts";
export { DEFAULT_HOST, parseHostAddress } from "./host-address.ts";
export { MAX_TIMER_MS, sleep, systemClock } from "./clock.ts";
export type { Clock, Timer } from "./clock.ts";
export { humanDuration } from "./human-duration.ts";
export { AsyncQueue } from "./async-queue.ts";
