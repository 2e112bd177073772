// A structural scan of one serialized JSON object that finds where chosen top-level members' values
// sit, without building the object: lets an adapter read `usage` from a response and the engine
// splice `extra_fields` into it while forwarding the upstream's bytes. It checks structure only
// (balanced braces and brackets, closed strings, nothing after the object); the values it returns
// are parsed by the caller, and the rest of the body is parsed only if someone asks for the object.

export interface MemberScan {
  /** `[start, end)` of each wanted member's value (whitespace around it included). */
  values: Partial<Record<string, readonly [number, number]>>;
  /** Index of the object's closing `}`. */
  close: number;
  /** Whether the object has no members. */
  empty: boolean;
}

/** Index of the quote closing the string opened at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end > 0) {
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === 92 /* \ */) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function keyAt(text: string, open: number, close: number, wanted: readonly string[]): string | undefined {
  for (const key of wanted) {
    if (key.length === close - open - 1 && text.startsWith(key, open + 1)) return key;
  }
  return undefined;
}

/** Scans `text` as one JSON object; undefined when it is not structurally one. */
export function scanMembers(text: string, wanted: readonly string[]): MemberScan | undefined {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 123 /* { */) return undefined;
  const values: Partial<Record<string, readonly [number, number]>> = {};
  let depth = 0;
  let expectKey = false;
  let key: string | undefined;
  let valueStart = -1;
  let members = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey) {
        key = keyAt(text, i, end, wanted);
        expectKey = false;
        members++;
      }
      i = end;
    } else if (c === 123 || c === 91 /* { [ */) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 125 || c === 93 /* } ] */) {
      depth--;
      if (depth === 0) {
        if (c !== 125 || (expectKey && members > 0)) return undefined;
        if (key !== undefined && valueStart >= 0) values[key] = [valueStart, i];
        let rest = i + 1;
        while (rest < n && isSpace(text.charCodeAt(rest))) rest++;
        return rest === n ? { values, close: i, empty: members === 0 } : undefined;
      }
      if (depth < 0) return undefined;
    } else if (depth === 1) {
      // A member must start with its key: catches unquoted keys and stray commas cheaply.
      if (expectKey && !isSpace(c)) return undefined;
      if (c === 58 /* : */) valueStart = key === undefined ? -1 : i + 1;
      else if (c === 44 /* , */) {
        if (key !== undefined && valueStart >= 0) values[key] = [valueStart, i];
        key = undefined;
        valueStart = -1;
        expectKey = true;
      }
    }
  }
  return undefined;
}
