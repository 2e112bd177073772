// The keyring: an ordered set of AES keys (16, 24 or 32 bytes) with one primary. Sending always
// uses the primary key; receiving tries every key, primary first, so keys can be rotated without
// a flag day (install everywhere, switch primary, then remove the old one).
import { WireError } from '../wire/errors.js';

const VALID_SIZES = new Set([16, 24, 32]);

function validate(key: Uint8Array): Uint8Array {
  if (!VALID_SIZES.has(key.length)) throw new WireError('bad_key', `key size must be 16, 24 or 32 bytes, not ${key.length}`);
  return Uint8Array.from(key);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class Keyring {
  private keys: Uint8Array[];

  /** `keys[0]` is the primary unless `primary` is given (it is then added first if missing). */
  constructor(keys: readonly Uint8Array[], primary?: Uint8Array) {
    this.keys = [];
    if (primary) this.keys.push(validate(primary));
    for (const k of keys) this.addKey(k);
    if (this.keys.length === 0) throw new WireError('bad_key', 'a keyring needs at least one key');
  }

  /** Parses base64 keys as Serf and Consul print them; the first is the primary. */
  static fromBase64(keys: readonly string[]): Keyring {
    return new Keyring(keys.map((k) => new Uint8Array(Buffer.from(k, 'base64'))));
  }

  /** Adds a secondary key (no-op if present). */
  addKey(key: Uint8Array): void {
    const k = validate(key);
    if (!this.keys.some((x) => same(x, k))) this.keys.push(k);
  }

  /** Makes an installed key the primary. */
  useKey(key: Uint8Array): void {
    const i = this.keys.findIndex((x) => same(x, key));
    if (i < 0) throw new WireError('bad_key', 'the requested key is not in the keyring');
    const [k] = this.keys.splice(i, 1);
    this.keys.unshift(k as Uint8Array);
  }

  /** Removes a secondary key; the primary cannot be removed. */
  removeKey(key: Uint8Array): void {
    if (same(this.keys[0] as Uint8Array, key)) throw new WireError('bad_key', 'removing the primary key is not allowed');
    this.keys = this.keys.filter((x) => !same(x, key));
  }

  getPrimaryKey(): Uint8Array {
    return this.keys[0] as Uint8Array;
  }

  /** All keys, primary first. */
  getKeys(): readonly Uint8Array[] {
    return this.keys;
  }
}
