// The one sanitizer for response header values derived from input (model and provider names, key
// names, the caller's request id, CORS origins). Node refuses a header value holding a control
// character or anything outside Latin-1, and throws where the header is set: a model named
// "模/x" or "a\nb" must become a valid header, not an exception. Printable ASCII passes unchanged
// (the common case costs one regex test); every other character is percent-encoded as UTF-8 (a
// lone surrogate as U+FFFD), so the value stays readable and can never split a header.

const SAFE = /^[\x20-\x7e]*$/;
const SAFE_CHAR = /[\x20-\x7e]/;
/** Longer values are cut: no header we derive needs more, and proxies refuse huge headers. */
export const MAX_HEADER_VALUE = 1024;

export function headerValue(value: string): string {
  if (value.length <= MAX_HEADER_VALUE && SAFE.test(value)) return value;
  let out = '';
  for (const char of value) {
    out += SAFE_CHAR.test(char) ? char : encodeChar(char);
    if (out.length >= MAX_HEADER_VALUE) return out.slice(0, MAX_HEADER_VALUE);
  }
  return out;
}

function encodeChar(char: string): string {
  try {
    return encodeURIComponent(char);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate has no UTF-8 form
  }
}
