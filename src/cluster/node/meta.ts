// The gateway's node meta, gossiped in every alive message: region, the HTTP address the replica
// serves on, its version and whether it is draining. JSON, so a Go memberlist or Serf peer's
// tooling can read it; at most 512 bytes (memberlist's limit), which config bounds guarantee.
// Meta that is not ours (a Go peer's text, Serf tags) decodes to region "unknown" and no address.

export interface NodeMeta {
  region: string;
  /** host:port the gateway's HTTP server listens on; "" when unknown. */
  http: string;
  version: string;
  draining: boolean;
}

export const UNKNOWN_REGION = 'unknown';
const META_LIMIT = 512;

export function encodeMeta(meta: NodeMeta): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(meta));
  if (bytes.length > META_LIMIT) throw new Error(`cluster node meta is ${bytes.length} bytes, over memberlist's ${META_LIMIT}`);
  return bytes;
}

export function decodeMeta(bytes: Uint8Array): NodeMeta & { ours: boolean } {
  try {
    if (bytes[0] === 0x7b) {
      const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>;
      if (typeof v === 'object' && v !== null && typeof v.http === 'string') {
        return {
          region: typeof v.region === 'string' && v.region ? v.region : UNKNOWN_REGION,
          http: v.http,
          version: typeof v.version === 'string' ? v.version : '',
          draining: v.draining === true,
          ours: true,
        };
      }
    }
  } catch {
    // not our meta: fall through
  }
  return { region: UNKNOWN_REGION, http: '', version: '', draining: false, ours: false };
}
