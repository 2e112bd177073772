// Fixed usage windows, as Bifrost counts them. A rolling window restarts whenever
// `now - lastReset >= duration`, and the new window starts *now* (not at a multiple of the
// duration). A calendar-aligned window (budgets only) starts at the UTC boundary of its unit —
// day, Monday-based week, month, quarter (first month configurable), year — and only moves forward.
import type { CounterWindow } from '../../../core/index.js';
import type { CalendarUnit, Duration } from './duration.js';

export interface WindowOptions {
  calendarAligned?: boolean;
  /** 1..12: month in which quarters start counting (Bifrost's reset_config.quarter_start_month). */
  quarterStartMonth?: number;
}

const DAY = 86_400_000;
/** 1970-01-05 was a Monday: week boundaries are whole weeks from it. */
const FIRST_MONDAY = 4 * DAY;

/** A window for the usage-counter port. */
export function makeWindow(duration: Duration, options: WindowOptions = {}): CounterWindow {
  const calendar = options.calendarAligned ? duration.calendar : undefined;
  if (calendar) {
    const quarterStart = options.quarterStartMonth ?? 1;
    // The period containing the last `now` seen: every request in it rolls without date arithmetic.
    let periodStart = Number.NaN;
    let periodEnd = Number.NaN;
    return {
      id: `${duration.text}@cal${calendar.unit === 'Q' ? quarterStart : ''}`,
      roll(lastReset, now) {
        if (!(now >= periodStart && now < periodEnd)) {
          periodStart = calendarStart(now, calendar, quarterStart);
          periodEnd = calendarNext(periodStart, calendar);
        }
        const start = periodStart;
        // Only move forward: a stored start later than the computed one (clock skew) is kept.
        return lastReset !== undefined && lastReset > start ? lastReset : start;
      },
      nextReset(start) {
        return calendarNext(start, calendar);
      },
    };
  }
  return {
    id: duration.text,
    roll(lastReset, now) {
      if (lastReset === undefined || now - lastReset >= duration.ms || now < lastReset - duration.ms) return now;
      return lastReset;
    },
    nextReset(start) {
      return start + duration.ms;
    },
  };
}

/** UTC start of the calendar period (of `count` units) that contains `now`. */
export function calendarStart(now: number, cal: { unit: CalendarUnit; count: number }, quarterStartMonth = 1): number {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (cal.unit) {
    case 'd': {
      const days = Math.floor(now / DAY);
      return (days - mod(days, cal.count)) * DAY;
    }
    case 'w': {
      const weeks = Math.floor((now - FIRST_MONDAY) / (7 * DAY));
      return FIRST_MONDAY + (weeks - mod(weeks, cal.count)) * 7 * DAY;
    }
    case 'M':
    case 'Q': {
      const span = cal.unit === 'M' ? cal.count : cal.count * 3;
      const offset = cal.unit === 'Q' ? quarterStartMonth - 1 : 0;
      const index = year * 12 + month - offset;
      const startIndex = index - mod(index, span) + offset;
      return Date.UTC(Math.floor(startIndex / 12), mod(startIndex, 12), 1);
    }
    case 'Y':
      return Date.UTC(year - mod(year, cal.count), 0, 1);
  }
}

function calendarNext(start: number, cal: { unit: CalendarUnit; count: number }): number {
  const date = new Date(start);
  switch (cal.unit) {
    case 'd': return start + cal.count * DAY;
    case 'w': return start + cal.count * 7 * DAY;
    case 'M':
    case 'Q': {
      const span = cal.unit === 'M' ? cal.count : cal.count * 3;
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + span, 1);
    }
    case 'Y': return Date.UTC(date.getUTCFullYear() + cal.count, 0, 1);
  }
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
