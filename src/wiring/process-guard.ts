// The last line of defence for a gateway process. Every request path catches its own errors, so
// nothing should reach here; if something still does (a library callback throwing, a promise
// nobody awaited), one bad request must not take every other caller's connection down with it.
// The guard logs the error with a running count and keeps the process up. It does not hide the
// bug: the count is also readable (`escaped`) and each one is logged at error level.
import type { Logger } from '../core/index.js';

export interface ProcessGuard {
  /** Errors that reached the process level since the guard was installed. */
  readonly escaped: number;
}

type Emitter = Pick<NodeJS.Process, 'on'>;

export function installProcessGuard(logger: Logger, target: Emitter = process): ProcessGuard {
  const guard = { escaped: 0 };
  const keep = (kind: string) => (error: unknown): void => {
    guard.escaped += 1;
    logger.error({ err: error, kind, escaped: guard.escaped }, `${kind} caught at process level; the process stays up`);
  };
  target.on('uncaughtException', keep('uncaught exception'));
  target.on('unhandledRejection', keep('unhandled rejection'));
  return guard;
}
