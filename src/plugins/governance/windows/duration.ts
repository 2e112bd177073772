// Parses Bifrost's reset-duration grammar: Go durations (`30s`, `5m`, `1h30m`) extended with the
// calendar-ish suffixes `d` (24 h), `w` (7 d), `M` (30 d), `Q` (90 d, budgets only) and `Y` (365 d).
// Besides the length in milliseconds it keeps the largest unit and its count, because a
// calendar-aligned budget snaps to that unit's UTC boundary instead of rolling from the last reset.

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

export interface ParseOptions {
  /** `Q` is only meaningful for budgets; rate limits reject it. */
  allowQuarter?: boolean;
}

/** Returns the parsed duration, or an error message naming what is wrong. */
export function parseDuration(text: string, options: ParseOptions = {}): Duration | { error: string } {
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
  if (!(ms >= 1000)) return { error: `duration "${text}" must be at least 1s` };
  const only = units.length === 1 ? units[0] : undefined;
  const calendar = only && isCalendarUnit(only.unit) && Number.isInteger(only.count)
    ? { unit: only.unit, count: only.count } : undefined;
  return { text: trimmed, ms, calendar };
}

function isCalendarUnit(unit: string): unit is CalendarUnit {
  return unit === 'd' || unit === 'w' || unit === 'M' || unit === 'Q' || unit === 'Y';
}

/** Like parseDuration, but throws; for values already validated by the config schema. */
export function mustParseDuration(text: string, options: ParseOptions = {}): Duration {
  const parsed = parseDuration(text, options);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}
