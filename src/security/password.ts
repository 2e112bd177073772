// Admin password hashing: Argon2id with a random salt in the standard encoded form
// (`$argon2id$v=19$m=…`), so the stored value alone verifies a login and never reveals the password.
import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
const PARAMS = { iterations: 2, memorySize: 19 * 1024, parallelism: 1, hashLength: 32 } as const;

export function isPasswordHash(value: string): boolean {
  return value.startsWith('$argon2id$');
}

export async function hashPassword(password: string): Promise<string> {
  return argon2id({ password, salt: randomBytes(16), ...PARAMS, outputType: 'encoded' });
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!isPasswordHash(hash)) return false;
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}
