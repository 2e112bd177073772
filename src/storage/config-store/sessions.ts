// Admin UI sessions (POST /api/session/login). A token is 32 random bytes; only its SHA-256 is
// stored, in the config store when there is one (so every replica honours it) and in a per-process
// cache, re-checked against the database every few seconds, so a check rarely touches the database.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256Hex } from '../../security/index.js';
import type { Database } from '../database.js';
import type { ConfigTables } from './schema.js';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const RECHECK_MS = 10_000;

export class SessionStore {
  readonly #cache = new Map<string, { expiresAt: number; checkedAt: number }>();
  readonly #db: Kysely<ConfigTables> | undefined;

  constructor(database: Database | undefined, private readonly now: () => number = Date.now) {
    this.#db = database?.typed<ConfigTables>();
  }

  async create(ttlMs = SESSION_TTL_MS): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + ttlMs;
    const hash = sha256Hex(token);
    if (this.#db) {
      // Logins are rare: a good moment to drop expired sessions.
      await this.#db.deleteFrom('config_sessions').where('expires_at', '<=', this.now()).execute();
      await this.#db.insertInto('config_sessions').values({ token_hash: hash, expires_at: expiresAt }).execute();
    }
    this.#cache.set(hash, { expiresAt, checkedAt: this.now() });
    return { token, expiresAt };
  }

  async isValid(token: string): Promise<boolean> {
    const hash = sha256Hex(token);
    const now = this.now();
    const cached = this.#cache.get(hash);
    if (cached !== undefined) {
      if (cached.expiresAt <= now) {
        this.#cache.delete(hash);
        return false;
      }
      // Re-check the database now and then, so a logout on another replica takes effect here too.
      if (!this.#db || now - cached.checkedAt < RECHECK_MS) return true;
    }
    if (!this.#db) return false;
    const row = await this.#db.selectFrom('config_sessions').select('expires_at').where('token_hash', '=', hash).executeTakeFirst();
    if (!row || row.expires_at <= now) {
      this.#cache.delete(hash);
      return false;
    }
    this.#cache.set(hash, { expiresAt: row.expires_at, checkedAt: now });
    return true;
  }

  async revoke(token: string): Promise<void> {
    const hash = sha256Hex(token);
    this.#cache.delete(hash);
    if (this.#db) await this.#db.deleteFrom('config_sessions').where('token_hash', '=', hash).execute();
  }
}
