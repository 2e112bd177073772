// The label header (type 244, memberlist 0.3.0+): f4, a length byte 1..255, the label bytes. It is
// prefixed to every UDP packet and written once by a stream's dialer. An empty label means no header.
import { WireError } from './errors.js';
import { LABEL_MAX_SIZE, MessageType } from './messages.js';

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder('utf-8');

export function labelBytes(label: string): Uint8Array {
  const b = utf8.encode(label);
  if (b.length > LABEL_MAX_SIZE) throw new WireError('bad_label', `label of ${b.length} bytes exceeds ${LABEL_MAX_SIZE}`);
  return b;
}

export function labelHeader(label: string): Uint8Array {
  const b = labelBytes(label);
  if (b.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(2 + b.length);
  out[0] = MessageType.hasLabel;
  out[1] = b.length;
  out.set(b, 2);
  return out;
}

export function addLabel(buf: Uint8Array, label: string): Uint8Array {
  if (label === '') return buf;
  const h = labelHeader(label);
  const out = new Uint8Array(h.length + buf.length);
  out.set(h);
  out.set(buf, h.length);
  return out;
}

/** Splits off a label header if present; returns label "" when there is none. */
export function stripLabel(buf: Uint8Array): { label: string; raw: Uint8Array; rest: Uint8Array } {
  if (buf.length < 1 || buf[0] !== MessageType.hasLabel) return { label: '', raw: new Uint8Array(0), rest: buf };
  if (buf.length < 2) throw new WireError('bad_label', 'label header is truncated');
  const len = buf[1] as number;
  if (len === 0) throw new WireError('bad_label', 'label header of length zero');
  if (buf.length < 2 + len) throw new WireError('bad_label', 'label is truncated');
  const raw = buf.subarray(2, 2 + len);
  return { label: utf8Decode.decode(raw), raw, rest: buf.subarray(2 + len) };
}

export interface LabelPolicy {
  /** Our configured label ("" = none). */
  label: string;
  /** Accept only unlabelled traffic and treat it as carrying our label (memberlist's SkipInboundLabelCheck). */
  skipInboundLabelCheck?: boolean;
}

/** Applies memberlist's inbound label policy to received label bytes; returns the AAD bytes. */
export function checkLabel(got: Uint8Array, policy: LabelPolicy): Uint8Array {
  const ours = labelBytes(policy.label);
  if (policy.skipInboundLabelCheck) {
    if (got.length !== 0) throw new WireError('label_mismatch', 'unexpected label header (inbound label check is skipped)');
    return ours;
  }
  if (!sameBytes(got, ours)) {
    throw new WireError('label_mismatch', `label "${utf8Decode.decode(got)}" does not match "${policy.label}"`);
  }
  return ours;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
