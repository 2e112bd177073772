// The request target, decoded and normalized once for the whole server. Routing, admin auth, CORS,
// metrics and upgrades all judge the `path` this returns, and the router receives `url`, its
// re-encoded form, so no part of the server can see `/%61pi/providers` where another sees
// `/api/providers`. Rules: percent-encoding is decoded (malformed encoding is refused), `//` runs
// collapse, `.` and `..` segments are resolved as RFC 3986 §5.2.4 does (never above the root), and
// a target that is not a path, or that decodes to control characters, is refused. Matching stays
// case-sensitive, as the router's is; `isUnder` compares case-insensitively so a prefix check
// errs on the side of protecting.

export interface RequestTarget {
  /** Decoded, normalized path: what every check and the router judge. */
  path: string;
  /** `path` re-encoded, plus the query as sent: what the router is handed as `req.url`. */
  url: string;
}

export type TargetProblem = { problem: string };

/** Anything that may need decoding or resolving; a target without these is already normal. */
const NEEDS_WORK = /%|\/\/|\/\.|[^\x21-\x7e]/;
/** Raw bytes a request line may not carry (controls, space, non-ASCII as Node reads them). */
const RAW_FORBIDDEN = /[^\x21-\x7e]/;
/** What a decoded path may not contain: C0 controls and DEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const DECODED_FORBIDDEN = /[\x00-\x1f\x7f]/;

export function normalizeTarget(rawUrl: string): RequestTarget | TargetProblem {
  const queryAt = rawUrl.indexOf('?');
  const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  if (!rawPath.startsWith('/')) return { problem: 'request target must be an absolute path (origin-form)' };
  if (!NEEDS_WORK.test(rawPath)) return { path: rawPath, url: rawUrl };
  if (RAW_FORBIDDEN.test(rawPath)) return { problem: 'request path contains characters that must be percent-encoded' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { problem: 'request path has malformed percent-encoding' };
  }
  if (DECODED_FORBIDDEN.test(decoded)) return { problem: 'request path decodes to control characters' };
  const segments: string[] = [];
  const parts = decoded.split('/');
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (part === '..') segments.pop();
    // A trailing empty, `.` or `..` segment keeps the trailing slash it stands for.
    if (part === '' || part === '.' || part === '..') {
      if (last) segments.push('');
      continue;
    }
    segments.push(part);
  }
  const path = `/${segments.join('/')}`;
  const encoded = `/${segments.map(encodeURIComponent).join('/')}`;
  return { path, url: queryAt < 0 ? encoded : encoded + rawUrl.slice(queryAt) };
}

export function isTargetProblem(value: RequestTarget | TargetProblem): value is TargetProblem {
  return 'problem' in value;
}

/** True when `path` is `prefix` itself or below it, compared case-insensitively. */
export function isUnder(path: string, prefix: string): boolean {
  const p = path.toLowerCase();
  return p === prefix || p.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}
