// Admin authentication (governance.auth_config). When enabled, `/api/*`, `/metrics` and `/ws` need
// either Basic credentials or a session token (cookie `token`, or `Authorization: Bearer`) from
// POST /api/session/login. Inference routes are never behind the admin password. A verified Basic
// credential is remembered (as a digest) so the slow Argon2id check runs once, not per request.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PasswordThreadBusy, sha256Hex, verifyPassword } from '../../../security/index.js';
import type { Json } from '../../../storage/config-store/index.js';
import { SESSION_TTL_MS } from '../../../storage/config-store/sessions.js';
import { httpError } from '../bifrost-error.js';
import { isUnder } from '../door/index.js';
import { addAccessGuard } from '../server.js';
import type { AdminOptions } from './context.js';
import { parseBody } from './errors.js';
import { ADMIN_LIMITS } from './input-bounds.js';
import { LoginLimiter, passwordChecksBusy, tooManyAttempts } from './login-limiter.js';

export const SESSION_COOKIE = 'token';
const PUBLIC_API = new Set(['/api/session/login', '/api/session/logout', '/api/session/is-auth-enabled', '/api/governance/virtual-keys/quota']);
const MAX_REMEMBERED = 64;

/** A Fastify request or a raw one (an upgrade): both carry the parsed headers. */
type Carrier = { headers: IncomingHttpHeaders };

// Bounded like the credentials PUT /api/config takes: a megabyte password must not reach Argon2id.
const loginSchema = z.object({ username: z.string().min(1).max(ADMIN_LIMITS.name), password: z.string().min(1).max(ADMIN_LIMITS.password) });

interface AuthSettings {
  enabled: boolean;
  username: string;
  passwordHash: string;
}

function settings(options: AdminOptions): AuthSettings {
  const value: Json | undefined = options.service.contents().sections.get('auth')?.value;
  return {
    enabled: value?.is_enabled === true,
    username: typeof value?.admin_username === 'string' ? value.admin_username : '',
    passwordHash: typeof value?.admin_password_hash === 'string' ? value.admin_password_hash : '',
  };
}

/** `path` is the door's normalized path; compared without case so a prefix check errs on the side of protecting. */
export function isProtectedPath(path: string): boolean {
  const lower = path.toLowerCase();
  if (isUnder(lower, '/metrics') || isUnder(lower, '/ws')) return true;
  return isUnder(lower, '/api') && !PUBLIC_API.has(lower);
}

function cookie(request: Carrier, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined; // malformed encoding: no token, so a 401 rather than a 500
    }
  }
  return undefined;
}

function sessionToken(request: Carrier): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim();
  return cookie(request, SESSION_COOKIE);
}

export function registerAdminAuth(app: FastifyInstance, options: AdminOptions): void {
  const remembered = new Set<string>();
  const limiter = new LoginLimiter();

  // Every check, remembered or not, passes the login limiter first: a locked client address or
  // username gets a 429 (thrown) and no hashing, and a remembered credential is no free oracle
  // while locked. The Argon2id check itself runs on the password thread, off the event loop.
  const checkPassword = async (auth: AuthSettings, username: string, password: string, address: string | undefined): Promise<boolean> => {
    const wait = limiter.begin(address, username);
    if (wait > 0) throw tooManyAttempts(wait);
    if (username !== auth.username || auth.passwordHash === '') return false;
    const digest = sha256Hex(`${username}\u0000${password}\u0000${auth.passwordHash}`);
    if (!remembered.has(digest)) {
      let valid: boolean;
      try {
        valid = await verifyPassword(password, auth.passwordHash);
      } catch (error) {
        throw error instanceof PasswordThreadBusy ? passwordChecksBusy() : error;
      }
      if (!valid) return false;
      if (remembered.size >= MAX_REMEMBERED) remembered.clear();
      remembered.add(digest);
    }
    limiter.succeeded(address, username);
    return true;
  };
  /** The peer address (proxy headers are the client's to forge, so they are not read). */
  const peerAddress = (request: Carrier): string | undefined => (request as { socket?: { remoteAddress?: string } }).socket?.remoteAddress;

  const authenticated = async (request: Carrier, auth: AuthSettings): Promise<boolean> => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon > 0 && checkPassword(auth, decoded.slice(0, colon), decoded.slice(colon + 1), peerAddress(request));
    }
    const token = sessionToken(request);
    return token !== undefined && token !== '' && options.sessions.isValid(token);
  };

  // Judged by the door on the normalized path, for routes and upgrades (/ws) alike.
  addAccessGuard(app, async (path, request) => {
    if (!isProtectedPath(path)) return;
    const auth = settings(options);
    if (!auth.enabled) return;
    if (await authenticated(request, auth)) return;
    throw httpError(401, 'unauthorized', 'authentication required: send Basic credentials or log in with POST /api/session/login');
  });

  app.get('/api/session/is-auth-enabled', async (request) => {
    const auth = settings(options);
    return { is_auth_enabled: auth.enabled, has_valid_token: auth.enabled ? await authenticated(request, auth) : true };
  });

  app.post('/api/session/login', async (request, reply) => {
    const body = parseBody(loginSchema, request.body);
    const auth = settings(options);
    if (!auth.enabled) throw httpError(400, 'invalid_request_error', 'authentication is not enabled');
    if (!(await checkPassword(auth, body.username, body.password, request.ip))) throw httpError(401, 'unauthorized', 'invalid username or password');
    const session = await options.sessions.create(SESSION_TTL_MS);
    reply.header('set-cookie', `${SESSION_COOKIE}=${session.token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(SESSION_TTL_MS / 1000)}`);
    return { message: 'login successful', token: session.token, expires_at: new Date(session.expiresAt).toISOString() };
  });

  app.post('/api/session/logout', async (request, reply) => {
    const token = sessionToken(request);
    if (token) await options.sessions.revoke(token);
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return { message: 'logout successful' };
  });
}
