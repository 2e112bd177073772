// WireError: the one error every memberlist decoder throws for bad input. `reason` is a stable,
// low-cardinality string so callers can count drops per reason without parsing messages.

export type WireErrorReason =
  | 'truncated'
  | 'too_large'
  | 'malformed_msgpack'
  | 'bad_field'
  | 'unknown_type'
  | 'bad_compound'
  | 'truncated_compound'
  | 'bad_crc'
  | 'decompress_failed'
  | 'decompress_ratio'
  | 'bad_algo'
  | 'label_mismatch'
  | 'bad_label'
  | 'decrypt_failed'
  | 'not_encrypted'
  | 'bad_key'
  | 'unexpected_message'
  | 'io'
  | 'timeout';

export class WireError extends Error {
  override readonly name = 'WireError';
  readonly reason: WireErrorReason;

  constructor(reason: WireErrorReason, message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}

export function isWireError(e: unknown): e is WireError {
  return e instanceof WireError;
}
