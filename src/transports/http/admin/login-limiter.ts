// Limits admin password guesses (POST /api/session/login and Basic credentials on admin routes),
// per client address and per username. Each dimension allows a few failures, then locks for 1 s,
// 2 s, 4 s… (capped) after every further failure; failures are forgotten after a quiet period, and
// a successful check forgives the username. A locked client gets 429 with `retry-after` and no
// Argon2id check is run for it, so a flood costs a map lookup per request, not a hash.
//
// Checks are counted as failures when they start (`begin`), not when they end: otherwise twenty
// concurrent guesses would all pass the gate before the first came back wrong. A success takes
// the count back.
//
// Both maps are bounded (`maxEntries` each). An attacker cycling addresses or usernames only
// pushes out stale entries, then unlocked ones, and locked ones last; IPv6 clients are counted
// per /64 (one host usually owns a whole /64) and long usernames are stored as a digest.
import { isIPv4, isIPv6 } from 'node:net';
import type { GatewayError } from '../../../core/index.js';
import { httpError } from '../bifrost-error.js';
import { sha256Hex } from '../../../security/index.js';

export interface LimitPolicy {
  /** Failures in a row allowed before the first lock. */
  freeFailures: number;
  /** Failures are forgotten after this long without a new one (keep it above maxLockMs). */
  forgetAfterMs: number;
  /** The first lock; each further failure doubles it, up to maxLockMs. */
  firstLockMs: number;
  maxLockMs: number;
}

export interface LoginLimiterOptions {
  address?: Partial<LimitPolicy>;
  username?: Partial<LimitPolicy>;
  /** Entries kept per map (default 10,000: about a megabyte each). */
  maxEntries?: number;
  now?: () => number;
}

const MINUTE = 60_000;
// An address may be a NAT or a proxy with several people behind it, so it gets more slack; the
// username has one password behind it, so it gets fewer tries but a shorter cap — an attacker can
// lock the admin's own username, and five minutes bounds that nuisance.
export const ADDRESS_POLICY: LimitPolicy = { freeFailures: 10, forgetAfterMs: 30 * MINUTE, firstLockMs: 1_000, maxLockMs: 15 * MINUTE };
export const USERNAME_POLICY: LimitPolicy = { freeFailures: 5, forgetAfterMs: 30 * MINUTE, firstLockMs: 1_000, maxLockMs: 5 * MINUTE };
const MAX_ENTRIES = 10_000;
const MAX_USERNAME_KEY = 64;

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

/** Failures per key under one policy, in a map kept in least-recently-failed order. */
class Tally {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly policy: LimitPolicy, private readonly maxEntries: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Milliseconds `key` must still wait (0 when it may try). */
  wait(key: string, now: number): number {
    const entry = this.#entries.get(key);
    if (!entry) return 0;
    if (this.#stale(entry, now)) {
      this.#entries.delete(key);
      return 0;
    }
    return Math.max(0, entry.lockedUntil - now);
  }

  fail(key: string, now: number): void {
    let entry = this.#entries.get(key);
    if (entry && this.#stale(entry, now)) entry = undefined;
    if (entry) this.#entries.delete(key); // re-inserted below: most recent last
    else if (this.#entries.size >= this.maxEntries) this.#makeRoom(now);
    entry ??= { failures: 0, lastFailure: now, lockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - this.policy.freeFailures;
    if (over > 0) {
      const lock = Math.min(this.policy.maxLockMs, this.policy.firstLockMs * 2 ** Math.min(over - 1, 30));
      entry.lockedUntil = now + lock;
    }
    this.#entries.set(key, entry);
  }

  /** Takes back one failure counted up front (the check succeeded), and the lock it set if it set one. */
  undo(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.failures = Math.max(0, entry.failures - 1);
    if (entry.failures <= this.policy.freeFailures) entry.lockedUntil = 0;
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  #stale(entry: Entry, now: number): boolean {
    return now >= entry.lockedUntil && now - entry.lastFailure >= this.policy.forgetAfterMs;
  }

  // Frees a tenth of the map at once, so the O(n) sweep runs once per n/10 new keys.
  #makeRoom(now: number): void {
    const target = Math.floor(this.maxEntries * 0.9);
    for (const [key, entry] of this.#entries) if (this.#stale(entry, now)) this.#entries.delete(key);
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= target) return;
      if (now >= entry.lockedUntil) this.#entries.delete(key);
    }
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= target) return;
      this.#entries.delete(key);
    }
  }
}

/** The key an address is counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.startsWith('::ffff:') && isIPv4(text.slice(7))) return text.slice(7);
  if (!isIPv6(text)) return text;
  const [head = '', tail] = text.split('::');
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  const backGroups = back.length + (back.at(-1)?.includes('.') ? 1 : 0); // a dotted IPv4 tail is two groups
  const groups = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - backGroups).fill('0'), ...back];
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

function usernameKey(username: string): string {
  return username.length <= MAX_USERNAME_KEY ? username : `sha256:${sha256Hex(username)}`;
}

export class LoginLimiter {
  readonly #addresses: Tally;
  readonly #usernames: Tally;
  readonly #now: () => number;

  constructor(options: LoginLimiterOptions = {}) {
    const maxEntries = options.maxEntries ?? MAX_ENTRIES;
    this.#addresses = new Tally({ ...ADDRESS_POLICY, ...options.address }, maxEntries);
    this.#usernames = new Tally({ ...USERNAME_POLICY, ...options.username }, maxEntries);
    this.#now = options.now ?? Date.now;
  }

  /** Entries held now (for tests and bounds checks). */
  get size(): { addresses: number; usernames: number } {
    return { addresses: this.#addresses.size, usernames: this.#usernames.size };
  }

  /** Whole seconds before this address or username may try again; 0 when both are free. Counts nothing. */
  retryAfter(address: string | undefined, username: string): number {
    const now = this.#now();
    const wait = Math.max(this.#addresses.wait(addressKey(address), now), this.#usernames.wait(usernameKey(username), now));
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /**
   * Starts one password check: returns the seconds to wait when locked (nothing counted), else 0
   * and counts the check as a failure for both the address and the username until `succeeded`.
   */
  begin(address: string | undefined, username: string): number {
    const wait = this.retryAfter(address, username);
    if (wait > 0) return wait;
    const now = this.#now();
    this.#addresses.fail(addressKey(address), now);
    this.#usernames.fail(usernameKey(username), now);
    return 0;
  }

  /** The check begun for this address and username succeeded. */
  succeeded(address: string | undefined, username: string): void {
    this.#usernames.forget(usernameKey(username));
    this.#addresses.undo(addressKey(address));
  }
}

/** 429 for a locked address or username, in Bifrost's error JSON with `retry-after`. */
export function tooManyAttempts(seconds: number): GatewayError {
  return httpError(429, 'too_many_requests', `too many failed login attempts: retry in ${seconds} s`, undefined, seconds);
}

/** 503 when the password thread is full (the attempt still counts: a flood must not be free). */
export function passwordChecksBusy(): GatewayError {
  return httpError(503, 'service_unavailable', 'too many password checks in progress: retry shortly', undefined, 1);
}
