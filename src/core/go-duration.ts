// Go's duration text ("250ms", "1.5s", "1h30m"), as Bifrost's JSON and flags write durations, in
// milliseconds. What a bare number means differs per key (nanoseconds, seconds, milliseconds), so
// callers handle numbers themselves; this parses only the text form.

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;

/** Milliseconds, or undefined when `text` is not a Go duration. */
export function goDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const match = PART.exec(trimmed);
    if (!match) return undefined;
    ms += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return ms;
}
