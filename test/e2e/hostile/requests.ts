// The hostile requests, as fast-check arbitraries: one valid request per route family, then
// broken on every axis a client controls — fields replaced by wrong types, strings with control,
// non-Latin-1 and lone-surrogate characters, huge numbers, deep nesting, bodies that are not JSON
// or not UTF-8 or over the size limit, bad chunking, bodies that stall, percent-encoded,
// doubled and dotted paths, odd query strings, oversize and non-ASCII header values, Upgrade on
// every path, and credentials that are missing, wrong or malformed. Each sample is raw bytes
// for test/support/raw-http.ts plus what the checks need to know about it.
import fc from 'fast-check';
import { BODY_LIMIT_MB } from './target.js';

export interface HostileRequest {
  family: string;
  /** Parts written one after another on a fresh connection. */
  parts: Buffer[];
  /** A short description for failure messages. */
  describe: string;
}

interface Family {
  name: string;
  method: string;
  path: string;
  body?: Record<string, unknown>;
  /** Mutating admin bodies are sent with a valid session only where no field can point at a network address. */
  authenticated: boolean;
}

const chat = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16, temperature: 1, stream: false, fallbacks: [] };
const FAMILIES: Family[] = [
  { name: 'chat', method: 'POST', path: '/v1/chat/completions', body: chat, authenticated: false },
  { name: 'chat-stream', method: 'POST', path: '/v1/chat/completions', body: { ...chat, stream: true }, authenticated: false },
  { name: 'completions', method: 'POST', path: '/v1/completions', body: { model: 'openai/gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 8 }, authenticated: false },
  { name: 'embeddings', method: 'POST', path: '/v1/embeddings', body: { model: 'openai/text-embedding-3-small', input: 'hi' }, authenticated: false },
  { name: 'responses', method: 'POST', path: '/v1/responses', body: { model: 'openai/gpt-4o-mini', input: 'hi' }, authenticated: false },
  { name: 'models', method: 'GET', path: '/v1/models', authenticated: false },
  { name: 'health', method: 'GET', path: '/health', authenticated: false },
  { name: 'metrics', method: 'GET', path: '/metrics', authenticated: true },
  { name: 'ws', method: 'GET', path: '/ws', authenticated: true },
  { name: 'logs', method: 'GET', path: '/api/logs', authenticated: true },
  { name: 'config-read', method: 'GET', path: '/api/config', authenticated: true },
  { name: 'config-write', method: 'PUT', path: '/api/config', body: { client_config: { drop_excess_requests: false, max_request_body_size_mb: BODY_LIMIT_MB } }, authenticated: false },
  { name: 'providers-write', method: 'POST', path: '/api/providers', body: { provider: 'hostile', keys: [{ name: 'k', value: 'x', models: ['*'] }] }, authenticated: false },
  { name: 'login', method: 'POST', path: '/api/session/login', body: { username: 'admin', password: 'wrong' }, authenticated: false },
  { name: 'virtual-keys', method: 'POST', path: '/api/governance/virtual-keys', body: { name: 'vk', description: 'd', is_active: true, budget: { max_limit: 10, reset_duration: '1h' }, rate_limit: { request_max_limit: 5, request_reset_duration: '1m' } }, authenticated: true },
  { name: 'teams', method: 'POST', path: '/api/governance/teams', body: { name: 'team', budget: { max_limit: 5, reset_duration: '1d' } }, authenticated: true },
  { name: 'customers', method: 'POST', path: '/api/governance/customers', body: { name: 'c' }, authenticated: true },
];

const NASTY = ['模/x', 'fakeup/a\nb', '😀/gpt', '\u0000', 'openai/\r\nx-a: b', '\ud800', '../../etc/passwd', "x'; drop table logs; --",
  '%00', '%zz', 'a'.repeat(70_000), '99999999999999h', '-1m', '1e999', ' ', '', 'openai/', '/model', '\u202e'];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
);
const hugeNumber = fc.constantFrom(1e308, -1e308, 2 ** 64, -0, Number.MAX_SAFE_INTEGER + 2, 1e-320, -1, 0);
const deep = fc.integer({ min: 50, max: 3000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown);
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, hugeNumber, fc.double(), fc.boolean(), fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }), deep, fc.array(hostileString, { maxLength: 5 }), fc.dictionary(hostileString, hostileString, { maxKeys: 4 }));

/** Replaces, removes or adds fields at the top level and one level down. */
function mutate(body: Record<string, unknown>, edits: Array<{ at: number; nested: number; op: number; value: unknown; key: string }>): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  for (const edit of edits) {
    const keys = Object.keys(copy);
    let target: Record<string, unknown> = copy;
    let key = keys[edit.at % Math.max(keys.length, 1)] ?? edit.key;
    const inner = target[key];
    if (edit.nested % 2 === 0 && inner && typeof inner === 'object' && !Array.isArray(inner)) {
      target = inner as Record<string, unknown>;
      const innerKeys = Object.keys(target);
      key = innerKeys[edit.at % Math.max(innerKeys.length, 1)] ?? edit.key;
    }
    if (edit.op === 0) delete target[key];
    else if (edit.op === 1) target[edit.key] = edit.value;
    else target[key] = edit.value;
  }
  return copy;
}

const edit = fc.record({ at: fc.nat(20), nested: fc.nat(3), op: fc.nat(2), value: wrongValue, key: hostileString });

/** The body bytes: mutated JSON, or no JSON at all. */
const bodyBytes = (family: Family): fc.Arbitrary<Buffer> => fc.oneof(
  { weight: 8, arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => Buffer.from(JSON.stringify(mutate(family.body ?? {}, edits)) ?? '')) },
  { weight: 1, arbitrary: fc.constant(Buffer.from(JSON.stringify(family.body ?? {}))) },
  { weight: 1, arbitrary: fc.nat(60).map((cut) => Buffer.from(JSON.stringify(family.body ?? {}).slice(0, cut))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constant(Buffer.concat([Buffer.from('{"model":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('/x","messages":[]}')])) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20000 }).map((n) => Buffer.from(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`)) },
);

const pathForm = (path: string): fc.Arbitrary<string> => fc.oneof(
  { weight: 4, arbitrary: fc.constant(path) },
  { weight: 1, arbitrary: fc.nat(path.length - 1).map((i) => path.slice(0, i) + encodeURIComponent(path[i]!).replace(/^([^%])$/, (c) => `%${c.charCodeAt(0).toString(16)}`) + path.slice(i + 1)) },
  { weight: 1, arbitrary: fc.constant(path.replace(/\//g, '//')) },
  { weight: 1, arbitrary: fc.constant(`/x/..${path}`) },
  { weight: 1, arbitrary: fc.constant(path.replace('/', '/./')) },
  { weight: 1, arbitrary: fc.constant(path.toUpperCase()) },
  { weight: 1, arbitrary: fc.constantFrom(`${path}/`, `${path}%`, `${path}%zz`, `${path}%00`, `${path}%E0%A4%A`, `/%2e%2e${path}`) },
).chain((p) => fc.oneof(
  { weight: 4, arbitrary: fc.constant(p) },
  { weight: 1, arbitrary: fc.constantFrom('?limit=1e99', '?offset=-1&limit=abc', '?%zz=1', '?limit=9999999999999999999', '?models=模', '?a=1&a=2&a[]=3', '?start_time=notadate')
    .map((q) => p + q) },
));

type Credentials = 'none' | 'session' | 'bearer-garbage' | 'cookie-garbage' | 'basic-garbage';
const credentials = (family: Family): fc.Arbitrary<Credentials> => family.authenticated
  ? fc.constantFrom<Credentials>('session', 'session', 'session', 'none', 'bearer-garbage', 'cookie-garbage', 'basic-garbage')
  : fc.constantFrom<Credentials>('none', 'none', 'bearer-garbage', 'cookie-garbage');

/** Extra headers: non-ASCII values where a header can reach a response or a log, oversize ones, Upgrade. */
const extraHeaders = fc.array(fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom('x-request-id', 'origin', 'x-bf-vk', 'x-bf-prefer', 'access-control-request-headers', 'content-type', 'accept-encoding'),
    fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 20 }).map((bytes) => Buffer.from(bytes.map((b) => (b < 0x20 ? b + 0x80 : b))).toString('latin1')))) },
  { weight: 2, arbitrary: fc.constant(['upgrade', 'websocket'] as [string, string]) },
  { weight: 1, arbitrary: fc.constant(['x-padding', 'p'.repeat(20_000)] as [string, string]) },
), { maxLength: 3 });

type Framing = 'length' | 'chunked' | 'bad-chunked' | 'huge-chunk' | 'short-body' | 'declared-oversize';
const framing = fc.constantFrom<Framing>('length', 'length', 'length', 'length', 'chunked', 'bad-chunked', 'huge-chunk', 'short-body', 'declared-oversize');

function head(method: string, target: string, headers: Array<[string, string]>): Buffer {
  let text = `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return Buffer.from(`${text}\r\n`, 'latin1');
}

function frame(kind: Framing, body: Buffer): { headers: Array<[string, string]>; parts: Buffer[] } {
  switch (kind) {
    case 'length': return { headers: [['content-length', String(body.length)]], parts: [body] };
    case 'chunked': return {
      headers: [['transfer-encoding', 'chunked']],
      parts: [Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])],
    };
    case 'bad-chunked': return { headers: [['transfer-encoding', 'chunked']], parts: [Buffer.concat([Buffer.from('zz\r\n'), body, Buffer.from('\r\n')])] };
    case 'huge-chunk': return { headers: [['transfer-encoding', 'chunked']], parts: [Buffer.concat([Buffer.from('FFFFFFFFFFFFFFF\r\n'), body.subarray(0, 10)])] };
    case 'short-body': return { headers: [['content-length', String(body.length + 100)]], parts: [body] };
    case 'declared-oversize': return { headers: [['content-length', String(BODY_LIMIT_MB * 1024 * 1024 + 1)]], parts: [body.subarray(0, 10)] };
  }
}

export function hostileRequest(session: string): fc.Arbitrary<HostileRequest> {
  return fc.constantFrom(...FAMILIES).chain((family) => fc.record({
    family: fc.constant(family),
    target: pathForm(family.path),
    body: family.body ? bodyBytes(family) : fc.constant(Buffer.alloc(0)),
    credentials: credentials(family),
    extra: extraHeaders,
    framing: family.body ? framing : fc.constant<Framing>('length'),
  })).map(({ family, target, body, credentials: creds, extra, framing: kind }) => {
    const headers: Array<[string, string]> = [['content-type', 'application/json']];
    if (creds === 'session') headers.push(['authorization', `Bearer ${session}`]);
    if (creds === 'bearer-garbage') headers.push(['authorization', 'Bearer \u00ff\u00fe%%']);
    if (creds === 'cookie-garbage') headers.push(['cookie', 'token=%E0%A4%A; x=%']);
    if (creds === 'basic-garbage') headers.push(['authorization', 'Basic ###not-base64###']);
    headers.push(...extra);
    const framed = family.body ? frame(kind, body) : { headers: [] as Array<[string, string]>, parts: [] as Buffer[] };
    if (extra.some(([name]) => name === 'upgrade')) headers.push(['connection', 'Upgrade']);
    return {
      family: family.name,
      parts: [head(family.method, target, [...headers, ...framed.headers]), ...framed.parts],
      describe: `${family.method} ${target.slice(0, 80)} [${kind}, ${creds}, ${extra.map(([n]) => n).join(',')}] body ${body.subarray(0, 80).toString('latin1')}`,
    };
  });
}
