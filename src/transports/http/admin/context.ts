// What the admin routes need from the composition root.
import type { Env } from '../../../config/index.js';
import type { Logger } from '../../../core/index.js';
import type { ConfigService } from '../../../storage/config-store/index.js';
import type { SessionStore } from '../../../storage/config-store/sessions.js';

export interface AdminOptions {
  service: ConfigService;
  sessions: SessionStore;
  /** For `env.X` values sent through the API. */
  env: Env;
  /** Reported by GET /api/version, e.g. `v0.1.0`. */
  version: string;
  logger?: Logger;
  /** Whether a logs store is configured (GET /api/config `is_logs_connected`). */
  logsConnected?: () => boolean;
  /**
   * Checks a built-in plugin's own `config` before it is stored; returns problems as
   * `path: message` (empty when valid or when the plugin is not a built-in).
   */
  validatePlugin?: (name: string, config: unknown) => string[];
}
