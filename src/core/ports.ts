// The small interfaces ("ports") through which the engine reaches the outside world. Concrete
// implementations live outside src/core and are wired together in main.ts; tests inject fakes.

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds, for durations. */
  monotonic(): number;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

export const systemRandom: Random = { next: () => Math.random() };

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
