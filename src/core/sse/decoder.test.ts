import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseDecoder, type SseMessage } from './decoder.js';

const enc = new TextEncoder();
function feed(parts: Array<string | Uint8Array>): SseMessage[] {
  const d = new SseDecoder();
  const out: SseMessage[] = [];
  for (const p of parts) out.push(...d.push(p));
  out.push(...d.end());
  return out;
}

test('one event per chunk', () => {
  const out = feed(['data: {"a":1}\n\n', 'data: {"a":2}\n\n', 'data: [DONE]\n\n']);
  assert.deepEqual(out.map((m) => m.data), ['{"a":1}', '{"a":2}', '[DONE]']);
  assert.equal(out[0]!.event, undefined);
});

test('several events in one chunk', () => {
  const out = feed(['data: 1\n\ndata: 2\n\ndata: 3\n\n']);
  assert.deepEqual(out.map((m) => m.data), ['1', '2', '3']);
});

test('event split across chunks at every position yields the same events', () => {
  const wire = 'event: response.created\ndata: {"x":"héllo"}\n\n: ping\n\nevent: response.completed\ndata: {"y":2}\n\n';
  const bytes = enc.encode(wire);
  const whole = feed([bytes]);
  assert.equal(whole.length, 2);
  for (let cut = 1; cut < bytes.length; cut++) {
    const out = feed([bytes.slice(0, cut), bytes.slice(cut)]);
    assert.deepEqual(out, whole, `split at byte ${cut}`);
  }
  assert.deepEqual(whole.map((m) => m.event), ['response.created', 'response.completed']);
  assert.equal(whole[0]!.data, '{"x":"héllo"}');
});

test('byte-at-a-time delivery decodes multibyte characters', () => {
  const bytes = enc.encode('data: 日本語 ✓\n\n');
  const out = feed(Array.from(bytes, (b) => Uint8Array.of(b)));
  assert.deepEqual(out.map((m) => m.data), ['日本語 ✓']);
});

test('CRLF and CR line endings, including CR/LF split across chunks', () => {
  assert.deepEqual(feed(['data: a\r\n\r\ndata: b\r\r']).map((m) => m.data), ['a', 'b']);
  assert.deepEqual(feed(['data: a\r', '\n\r', '\ndata: b\r\n\r\n']).map((m) => m.data), ['a', 'b']);
});

test('comments and heartbeats are ignored, even between data lines', () => {
  const out = feed([': heartbeat\n\ndata: x\n: keep-alive\ndata: y\n\n']);
  assert.deepEqual(out.map((m) => m.data), ['x\ny']);
});

test('multi-line data, field without space, field without value, id', () => {
  const out = feed(['data:first\ndata\nid: 7\nretry: 100\n\n']);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.data, 'first\n');
  assert.equal(out[0]!.id, '7');
});

test('event without data is not dispatched and its event type does not leak', () => {
  const out = feed(['event: lonely\n\ndata: z\n\n']);
  assert.deepEqual(out, [{ event: undefined, data: 'z', id: undefined }]);
});

test('unterminated last event is flushed by end()', () => {
  assert.deepEqual(feed(['data: tail']).map((m) => m.data), ['tail']);
});

test('leading BOM is skipped, as text or as bytes split across chunks', () => {
  assert.deepEqual(feed(['\uFEFFdata: 1\n\n']).map((m) => m.data), ['1']);
  assert.deepEqual(feed([Uint8Array.of(0xef, 0xbb), Uint8Array.of(0xbf, ...enc.encode('data: 1\n\n'))]).map((m) => m.data), ['1']);
});

test('bytes that are not UTF-8 become U+FFFD; a character cut off at the end is flushed as one', () => {
  assert.deepEqual(feed([Uint8Array.of(...enc.encode('data: a'), 0xff, ...enc.encode('b\n\n'))]).map((m) => m.data), ['a\uFFFDb']);
  assert.deepEqual(feed([Uint8Array.of(...enc.encode('data: x'), 0xe6, 0x97)]).map((m) => m.data), ['x\uFFFD']);
});
