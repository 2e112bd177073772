// What the hostile suite attacks: a gateway with every admin surface on (config and logs stores,
// governance with a virtual key, admin auth) in front of the fake OpenAI upstream, and the secrets
// it must never show in a response.
import { join } from 'node:path';

export const SECRETS = {
  providerKey: 'sk-upstream-SECRET-7f3a9c',
  adminPassword: 'admin-SECRET-pw-4412',
  virtualKey: 'sk-bf-hostile-vk-0001',
};
export const HOSTILE_ENV = { ADMIN_PASSWORD: SECRETS.adminPassword, UPSTREAM_KEY: SECRETS.providerKey };
export const BODY_LIMIT_MB = 1;

export function hostileConfig(origin: string, appDir: string): Record<string, unknown> {
  return {
    client: { max_request_body_size_mb: BODY_LIMIT_MB, allowed_origins: ['https://ui.example'] },
    config_store: { enabled: true, type: 'sqlite', config: { path: join(appDir, 'config.db') } },
    logs_store: { enabled: true, type: 'sqlite', config: { path: join(appDir, 'logs.db') } },
    governance: {
      auth_config: { is_enabled: true, admin_username: 'admin', admin_password: 'env.ADMIN_PASSWORD' },
      virtual_keys: [{ id: 'vk-hostile', name: 'hostile', value: SECRETS.virtualKey, is_active: true }],
    },
    providers: {
      openai: { keys: [{ name: 'k', value: 'env.UPSTREAM_KEY', models: ['*'], weight: 1 }], network_config: { base_url: origin, max_retries: 0 } },
    },
  };
}
