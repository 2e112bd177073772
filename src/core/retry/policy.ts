// What the retry loop does after a failed attempt, and how long it waits. Retries cover network
// failures, timeouts, 429, 500/502/503/504 and errors whose message reads like a rate limit;
// 401/402/403 rotate to another key without waiting (the key is dead for this request); anything
// else (validation errors, cancellations, gateway-internal errors) is final.
import type { Random } from '../ports.js';

export type FailureAction =
  /** Wait, then try again (rotating away from the key when `rotate`). */
  | { kind: 'retry'; rotate: boolean }
  /** The key is unusable for this request; try another key at once. */
  | { kind: 'key-dead' }
  | { kind: 'final' };

const RATE_LIMIT = /rate.?limit|too many requests|quota exceeded|exceeded (your )?quota|throttl|requests per minute|tokens per minute|(tpm|rpm) (limit )?exceeded|resource.?exhausted/i;

const RETRY: FailureAction = { kind: 'retry', rotate: false };
const RETRY_ROTATE: FailureAction = { kind: 'retry', rotate: true };
const KEY_DEAD: FailureAction = { kind: 'key-dead' };
const FINAL: FailureAction = { kind: 'final' };

export function isRateLimitMessage(message: string): boolean {
  return RATE_LIMIT.test(message);
}

/** Classifies an upstream HTTP status (+ message) or a transport failure. */
export function classifyFailure(status: number | 'network_error' | 'timeout', message: string): FailureAction {
  if (status === 'network_error' || status === 'timeout') return RETRY;
  if (status === 401 || status === 402 || status === 403) return KEY_DEAD;
  if (status === 429) return RETRY_ROTATE;
  if (status === 500 || status === 502 || status === 503 || status === 504) return RETRY;
  if (isRateLimitMessage(message)) return RETRY_ROTATE;
  return FINAL;
}

export interface BackoffOptions {
  /** ms */
  initial: number;
  /** ms */
  max: number;
}

/** min(initial × 2^attempt, max) × uniform[0.8, 1.2]; attempt counts from 0. */
export function backoffMs(attempt: number, options: BackoffOptions, random: Random): number {
  const base = Math.min(options.initial * 2 ** Math.min(attempt, 30), options.max);
  return Math.max(0, base * (0.8 + 0.4 * random.next()));
}
