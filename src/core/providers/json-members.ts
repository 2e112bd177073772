// A structural scan of one serialized JSON object that finds where its top-level members sit,
// without building the object. It lets the engine forward JSON it did not write: an adapter reads
// `usage` from a response and the engine splices `extra_fields` into it; an adapter forwards the
// caller's request text with `model` and `fallbacks` rewritten (`rewriteMembers`) instead of
// serializing the parsed body again. It checks structure only (balanced braces and brackets,
// closed strings, nothing after the object); the values it returns are parsed by the caller.
// The request-log content kit uses it too, in the SQLite write thread, which evaluates the
// functions' source (JSON_MEMBERS_SOURCE): they reference nothing but each other.

export interface MemberScan {
  /** `[start, end)` of each wanted member's value (whitespace around it included); the last one if repeated. */
  values: Partial<Record<string, readonly [number, number]>>;
  /** Every member in order: `[start, end)` runs from its key's opening quote to the end of its value. */
  members: readonly MemberSpan[];
  /**
   * Whether some top-level key holds a backslash: JSON.parse reads `"mod\u0065l"` as `model`, so a
   * rewrite that matches keys by their text could miss one.
   */
  escapedKey: boolean;
  /** Index of the object's closing `}`. */
  close: number;
  /** Whether the object has no members. */
  empty: boolean;
}

export interface MemberSpan {
  /** The key, when it is one of the wanted ones. */
  name: string | undefined;
  start: number;
  end: number;
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

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 92) return true;
  return false;
}

/** Scans `text` as one JSON object; undefined when it is not structurally one. */
export function scanMembers(text: string, wanted: readonly string[]): MemberScan | undefined {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 123 /* { */) return undefined;
  const values: Partial<Record<string, readonly [number, number]>> = {};
  const members: MemberSpan[] = [];
  let escapedKey = false;
  let depth = 0;
  let expectKey = false;
  let key: string | undefined;
  let keyStart = -1;
  let valueStart = -1;
  const endMember = (end: number): void => {
    if (keyStart < 0) return;
    members.push({ name: key, start: keyStart, end });
    if (key !== undefined && valueStart >= 0) values[key] = [valueStart, end];
  };
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey) {
        key = keyAt(text, i, end, wanted);
        if (key === undefined && !escapedKey) escapedKey = hasBackslash(text, i + 1, end);
        keyStart = i;
        expectKey = false;
      }
      i = end;
    } else if (c === 123 || c === 91 /* { [ */) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 125 || c === 93 /* } ] */) {
      depth--;
      if (depth === 0) {
        if (c !== 125 || (expectKey && members.length > 0)) return undefined;
        endMember(i);
        let rest = i + 1;
        while (rest < n && isSpace(text.charCodeAt(rest))) rest++;
        return rest === n ? { values, members, escapedKey, close: i, empty: members.length === 0 } : undefined;
      }
      if (depth < 0) return undefined;
    } else if (depth === 1) {
      // A member must start with its key: catches unquoted keys and stray commas cheaply.
      if (expectKey && !isSpace(c)) return undefined;
      if (c === 58 /* : */) valueStart = key === undefined ? -1 : i + 1;
      else if (c === 44 /* , */) {
        endMember(i);
        key = undefined;
        keyStart = -1;
        valueStart = -1;
        expectKey = true;
      }
    }
  }
  return undefined;
}

/**
 * The scanned object with some top-level members changed: `changes[name]` is the JSON text of the
 * member's new value, or null to drop it. Every occurrence of a repeated key is changed alike, and
 * a change for a key that is absent adds the member at the end. Whitespace between members goes.
 */
export function rewriteMembers(text: string, scan: MemberScan, changes: Readonly<Record<string, string | null>>): string {
  const parts: string[] = [];
  const present = new Set<string>();
  for (const member of scan.members) {
    const change = member.name === undefined ? undefined : changes[member.name];
    if (change === undefined) {
      parts.push(text.slice(member.start, member.end));
      continue;
    }
    present.add(member.name!);
    if (change !== null) parts.push(`${JSON.stringify(member.name)}:${change}`);
  }
  for (const name in changes) {
    const change = changes[name];
    if (change != null && !present.has(name)) parts.push(`${JSON.stringify(name)}:${change}`);
  }
  if (parts.length === 0) return '{}';
  // The braces go in before the join, which then builds one flat string: braces added around its
  // result would make a rope that every later reader (byte length, UTF-8 encoding) flattens again.
  parts[0] = `{${parts[0]!}`;
  parts[parts.length - 1] += '}';
  return parts.join(',');
}

/**
 * `[start, end)` of the first element of the array that starts at `from` (after any whitespace;
 * a member's span from scanMembers fits), whitespace around the element excluded; undefined when
 * the value there is not an array, is empty, or is not well formed up to that element.
 */
export function firstElement(text: string, from: number): readonly [number, number] | undefined {
  const n = text.length;
  let start = from;
  while (start < n && isSpace(text.charCodeAt(start))) start++;
  if (text.charCodeAt(start) !== 91 /* [ */) return undefined;
  start++;
  while (start < n && isSpace(text.charCodeAt(start))) start++;
  let depth = 0;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = stringEnd(text, i);
      if (i < 0) return undefined;
      if (depth === 0) return [start, i + 1];
    } else if (c === 123 || c === 91 /* { [ */) {
      depth++;
    } else if (c === 125 || c === 93 /* } ] */) {
      if (depth === 0) {
        // A scalar element (number, literal) ends at the array's close; `[]` has no element.
        let end = i;
        while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
        return c === 93 && end > start ? [start, end] : undefined;
      }
      depth--;
      if (depth === 0) return [start, i + 1];
    } else if (c === 44 /* , */ && depth === 0) {
      let end = i;
      while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
      return end > start ? [start, end] : undefined;
    }
  }
  return undefined;
}

/** This module's functions as script source, for a thread that evaluates them (see above). */
export const JSON_MEMBERS_SOURCE = [stringEnd, isSpace, keyAt, hasBackslash, scanMembers, firstElement]
  .map((fn) => `${fn.toString()}\n`).join('');
