// Parses Bifrost's reset-duration grammar: Go durations (`30s`, `5m`, `1h30m`) extended with the
// calendar-ish suffixes `d` (24 h), `w` (7 d), `M` (30 d), `Q` (90 d, budgets only) and `Y` (365 d).
// Besides the length in milliseconds it keeps the largest unit and its count, because a
// calendar-aligned budget snaps to that unit's UTC boundary instead of rolling from the last reset.
// The accepted range is 1s up to Go's time.Duration maximum (about 292 years, so every duration
// Bifrost takes is taken here): beyond it a window's end is not a representable date, which used
// to turn every listing that showed the limit into a 500.

export type CalendarUnit = 'd' | 'w' | 'M' | 'Q' | 'Y';

export interface Duration {
  /** The text as configured, e.g. `1M`. */
  text: string;
  /** Fixed length used for rolling windows. */
  ms: number;
  /** Set when the duration is a whole number of one calendar unit (e.g. `1M`, `2w`). */
  calendar: { unit: CalendarUnit; count: number } | undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
  d: 86_400_000, w: 7 * 86_400_000, M: 30 * 86_400_000, Q: 90 * 86_400_000, Y: 365 * 86_400_000,
};

const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|M|Q|Y)/y;

/** Go's time.Duration maximum (2^63 - 1 ns) in whole ms: the longest duration Bifrost accepts. */
export const MAX_DURATION_MS = 9_223_372_036_854;
export const MIN_DURATION_MS = 1000;
/** Longer texts are refused before parsing; real durations (`1h30m`, `52w`) are a few characters. */
export const MAX_DURATION_TEXT = 64;

export interface ParseOptions {
  /** `Q` is only meaningful for budgets; rate limits reject it. */
  allowQuarter?: boolean;
}

/** Returns the parsed duration, or an error message naming what is wrong. */
export function parseDuration(text: string, options: ParseOptions = {}): Duration | { error: string } {
  if (text.length > MAX_DURATION_TEXT) return { error: `duration must be at most ${MAX_DURATION_TEXT} characters` };
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'duration is empty' };
  let ms = 0;
  const units: { unit: string; count: number }[] = [];
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const at = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (!match || match.index !== at) {
      return { error: `invalid duration "${text}" (expected e.g. 30s, 5m, 1h, 1d, 1w, 1M, 1Y)` };
    }
    const count = Number(match[1]);
    const unit = match[2] as string;
    if (unit === 'Q' && !options.allowQuarter) return { error: `duration "${text}": Q is only valid for budgets` };
    ms += count * (UNIT_MS[unit] ?? 0);
    units.push({ unit, count });
  }
  if (!(ms >= MIN_DURATION_MS)) return { error: `duration "${text}" must be at least 1s` };
  // `!(<=)` also refuses Infinity from a count with hundreds of digits.
  if (!(ms <= MAX_DURATION_MS)) {
    return { error: `duration "${text}" is too long: at most 2562047h (about 292 years, the longest duration Bifrost accepts)` };
  }
  const only = units.length === 1 ? units[0] : undefined;
  const calendar = only && isCalendarUnit(only.unit) && Number.isInteger(only.count)
    ? { unit: only.unit, count: only.count } : undefined;
  return { text: trimmed, ms, calendar };
}

function isCalendarUnit(unit: string): unit is CalendarUnit {
  return unit === 'd' || unit === 'w' || unit === 'M' || unit === 'Q' || unit === 'Y';
}

/** A window length for a value read back from a store, and what is wrong with it if anything. */
export interface StoredDuration {
  duration: Duration;
  problem: string | undefined;
}

/**
 * Reads a duration that was never validated here (a row an older version wrote, a hand-edited
 * database): instead of throwing, a bad one becomes the longest window, which in practice never
 * resets. The limit keeps its cap — an older version enforced such a row the same way — so nothing
 * becomes unlimited, and the caller reports `problem` so an admin can correct the value.
 */
export function readStoredDuration(text: unknown): StoredDuration {
  const parsed = typeof text === 'string'
    ? parseDuration(text, { allowQuarter: true })
    : { error: `duration must be a string such as 1h or 1d, not ${text === null ? 'null' : typeof text}` };
  if (!('error' in parsed)) return { duration: parsed, problem: undefined };
  // The stored text (cut short) stays the window's id, as a valid duration's text is.
  const id = typeof text === 'string' ? text.slice(0, MAX_DURATION_TEXT) : String(text);
  return { duration: { text: id, ms: MAX_DURATION_MS, calendar: undefined }, problem: parsed.error };
}

/** Like parseDuration, but throws; for values already validated by the config schema. */
export function mustParseDuration(text: string, options: ParseOptions = {}): Duration {
  const parsed = parseDuration(text, options);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}
