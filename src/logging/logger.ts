// The process logger: one pino instance per process, built from the CLI's `-log-level` and
// `-log-style` (json | pretty, as Bifrost's binary accepts). Secrets must never reach a log line,
// so redaction is configured here once — headers that carry credentials, provider key values,
// passwords — rather than trusted to every call site.
import { createRequire } from 'node:module';
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import type pinoPretty from 'pino-pretty';
import type { Logger } from '../core/ports.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogStyle = 'json' | 'pretty';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_STYLES: readonly LogStyle[] = ['json', 'pretty'];

export interface LoggerOptions {
  level?: LogLevel;
  style?: LogStyle;
  /** Where lines go; stdout when absent. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  /** Static fields on every line (e.g. node name in cluster mode). */
  base?: Record<string, unknown>;
}

export const REDACTED = '[REDACTED]';

/**
 * Paths pino redacts. Wildcards cover one level, so the common nestings (a request's headers, a
 * provider's keys, a store's config) are listed explicitly.
 */
export const REDACT_PATHS: readonly string[] = [
  'authorization', 'password', 'api_key', 'apiKey', 'secret', 'token',
  '*.authorization', '*["x-api-key"]', '*["x-bf-vk"]', '*["x-goog-api-key"]', '*["api-key"]',
  '*["proxy-authorization"]', '*.cookie', '*["set-cookie"]',
  '*.password', '*.api_key', '*.apiKey', '*.secret', '*.access_key_id', '*.secret_access_key',
  '*.session_token', '*.encryption_key',
  '*.headers.authorization', '*.headers["x-api-key"]', '*.headers["x-bf-vk"]',
  '*.headers["x-goog-api-key"]', '*.headers["api-key"]', '*.headers.cookie',
  '*.keys[*].value', '*.*.keys[*].value', 'keys[*].value',
  '*.config.password', '*.basic_auth.password', '*.*.basic_auth.password',
];

/** A pino logger that also satisfies the core's Logger port. */
export type ProcessLogger = PinoLogger & Logger;

export function createLogger(options: LoggerOptions = {}): ProcessLogger {
  const level = options.level ?? 'info';
  const base = options.base ?? {};
  const redact = { paths: [...REDACT_PATHS], censor: REDACTED };
  if ((options.style ?? 'json') === 'pretty') {
    // pino-pretty in-process (sync) rather than as a transport worker: no extra thread, and lines
    // are not lost when the process exits right after logging.
    return pino({ level, base, redact }, createPretty(options.destination));
  }
  return options.destination
    ? pino({ level, base, redact }, options.destination)
    : pino({ level, base, redact });
}

function createPretty(destination: DestinationStream | undefined): DestinationStream {
  // Required only for `-log-style pretty` (it is CommonJS, and createLogger stays synchronous): the
  // default JSON style never loads it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof pinoPretty;
  return pretty({ colorize: false, sync: true, ...(destination ? { destination } : {}) });
}

/** Parses a `-log-level` value; unknown values are a startup error the CLI reports. */
export function parseLogLevel(value: string): LogLevel | undefined {
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : undefined;
}

export function parseLogStyle(value: string): LogStyle | undefined {
  return (LOG_STYLES as readonly string[]).includes(value) ? (value as LogStyle) : undefined;
}
