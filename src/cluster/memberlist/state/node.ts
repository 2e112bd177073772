// Node records: the state memberlist keeps per member (incarnation, state, address, meta, the six
// version bytes) and the read-only Node view handed to applications and event delegates.
import { isIPv4, isIPv6 } from 'node:net';

export const NodeStateType = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;
export type NodeStateType = (typeof NodeStateType)[keyof typeof NodeStateType];
export const NODE_STATE_NAMES = ['alive', 'suspect', 'dead', 'left'] as const;

export interface NodeRecord {
  name: string;
  /** 4 bytes for IPv4 (Go normalises with To4), 16 for IPv6. */
  addr: Uint8Array;
  port: number;
  meta: Uint8Array;
  /** [PMin, PMax, PCur, DMin, DMax, DCur]. */
  vsn: Uint8Array;
  incarnation: number;
  state: NodeStateType;
  /** Monotonic ms of the last state change. */
  stateChange: number;
}

/** What applications see of a member. */
export interface Node {
  name: string;
  addr: string;
  port: number;
  meta: Uint8Array;
  state: NodeStateType;
  /** Not in Go's Node; exposed for diagnostics and tests. */
  incarnation: number;
  pMin: number;
  pMax: number;
  pCur: number;
  dMin: number;
  dMax: number;
  dCur: number;
}

export function toNode(r: NodeRecord): Node {
  return {
    name: r.name, addr: bytesToIp(r.addr), port: r.port, meta: r.meta.slice(), state: r.state, incarnation: r.incarnation,
    pMin: r.vsn[0] ?? 0, pMax: r.vsn[1] ?? 0, pCur: r.vsn[2] ?? 0,
    dMin: r.vsn[3] ?? 0, dMax: r.vsn[4] ?? 0, dCur: r.vsn[5] ?? 0,
  };
}

export function isDeadOrLeft(r: NodeRecord): boolean {
  return r.state === NodeStateType.dead || r.state === NodeStateType.left;
}

export function ipToBytes(host: string): Uint8Array {
  if (isIPv4(host)) return Uint8Array.from(host.split('.').map(Number));
  if (isIPv6(host)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
    if (mapped) return ipToBytes(mapped[1]!);
    const [head = '', tail = ''] = host.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = host.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    const out = new Uint8Array(16);
    groups.forEach((g, i) => { const v = parseInt(g, 16); out[i * 2] = v >> 8; out[i * 2 + 1] = v & 0xff; });
    return out;
  }
  throw new Error(`not an IP address: ${host}`);
}

export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 16) {
    const isMapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
    if (isMapped) return Array.from(b.subarray(12)).join('.');
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
    return groups.join(':');
  }
  return '';
}

export function bytesEqual(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  const x = a ?? new Uint8Array(0);
  const y = b ?? new Uint8Array(0);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
