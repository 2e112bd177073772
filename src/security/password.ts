// Admin password hashing: Argon2id with a random salt in the standard encoded form
// (`$argon2id$v=19$m=…`), so the stored value alone verifies a login and never reveals the password.
// The hashing runs on the password thread (password-thread.ts), never on the event loop.
import { randomBytes } from 'node:crypto';
import { PasswordThread, PasswordThreadBusy } from './password-thread.js';

// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
const PARAMS = { iterations: 2, memorySize: 19 * 1024, parallelism: 1, hashLength: 32 } as const;

// One per process: the worker it starts is what bounds the CPU all password checks can take.
const thread = new PasswordThread();

export function isPasswordHash(value: string): boolean {
  return value.startsWith('$argon2id$');
}

export function hashPassword(password: string): Promise<string> {
  return thread.hash(password, randomBytes(16), PARAMS);
}

/** False for a wrong password or a malformed hash; rejects with PasswordThreadBusy when the thread is full. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!isPasswordHash(hash)) return false;
  try {
    return await thread.verify(password, hash);
  } catch (error) {
    if (error instanceof PasswordThreadBusy) throw error;
    return false;
  }
}
