// Admin password hashing: Argon2id with a random salt in the standard encoded form
// (`$argon2id$v=19$m=…`), so the stored value alone verifies a login and never reveals the password.
import { randomBytes } from 'node:crypto';

// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
const PARAMS = { iterations: 2, memorySize: 19 * 1024, parallelism: 1, hashLength: 32 } as const;

export function isPasswordHash(value: string): boolean {
  return value.startsWith('$argon2id$');
}

export async function hashPassword(password: string): Promise<string> {
  // hash-wasm loads on first use (here and below): most gateways never hash or check a password.
  const { argon2id } = await import('hash-wasm');
  return argon2id({ password, salt: randomBytes(16), ...PARAMS, outputType: 'encoded' });
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!isPasswordHash(hash)) return false;
  const { argon2Verify } = await import('hash-wasm');
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}
