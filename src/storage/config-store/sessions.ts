// Admin UI sessions (POST /api/session/login). A token is 32 random bytes; only its SHA-256 is
// stored, in the config store when there is one (so every replica honours it) and always in a
// per-process cache so a check does not touch the database on every admin request.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256Hex } from '../../security/index.js';
import type { Database } from '../database.js';
import type { ConfigTables } from './schema.js';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export class SessionStore {
  readonly #cache = new Map<string, number>();
  readonly #db: Kysely<ConfigTables> | undefined;

  constructor(database: Database | undefined, private readonly now: () => number = Date.now) {
    this.#db = database?.typed<ConfigTables>();
  }

  async create(ttlMs = SESSION_TTL_MS): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + ttlMs;
    const hash = sha256Hex(token);
    if (this.#db) await this.#db.insertInto('config_sessions').values({ token_hash: hash, expires_at: expiresAt }).execute();
    this.#cache.set(hash, expiresAt);
    return { token, expiresAt };
  }

  async isValid(token: string): Promise<boolean> {
    const hash = sha256Hex(token);
    const now = this.now();
    const cached = this.#cache.get(hash);
    if (cached !== undefined) {
      if (cached > now) return true;
      this.#cache.delete(hash);
      return false;
    }
    if (!this.#db) return false;
    const row = await this.#db.selectFrom('config_sessions').select('expires_at').where('token_hash', '=', hash).executeTakeFirst();
    if (!row || row.expires_at <= now) return false;
    this.#cache.set(hash, row.expires_at);
    return true;
  }

  async revoke(token: string): Promise<void> {
    const hash = sha256Hex(token);
    this.#cache.delete(hash);
    if (this.#db) await this.#db.deleteFrom('config_sessions').where('token_hash', '=', hash).execute();
  }
}
