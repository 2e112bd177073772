// The runtime configuration the engine reads, and the port it reads it through. The shapes are
// those of Bifrost's config.json (snake_case), so src/config's schema produces them directly and
// the admin API can hand them back unchanged. The engine takes one snapshot per request, so a
// request sees either the old or the new configuration, never a mix.

export interface ProviderKey {
  /** Stable id (defaults to name). */
  id: string;
  name: string;
  /** The resolved secret; never logged, never returned by the API. */
  value: string;
  /** Allow-list of model names; empty or containing "*" allows every model. */
  models: string[];
  weight: number;
  enabled: boolean;
}

export interface NetworkConfig {
  base_url?: string;
  extra_headers?: Record<string, string>;
  default_request_timeout_in_seconds: number;
  max_retries: number;
  /** Milliseconds. */
  retry_backoff_initial: number;
  /** Milliseconds. */
  retry_backoff_max: number;
}

export interface ConcurrencyConfig {
  concurrency: number;
  buffer_size: number;
}

export interface ProviderConfig {
  keys: ProviderKey[];
  network_config: NetworkConfig;
  concurrency_and_buffer_size: ConcurrencyConfig;
  /** For custom providers: the dialect they speak (e.g. "openai"). */
  custom_provider_config?: { base_provider_type: string; allowed_requests?: Record<string, boolean> };
  send_back_raw_response?: boolean;
}

export interface ClientConfig {
  initial_pool_size: number;
  drop_excess_requests: boolean;
  max_request_body_size_mb: number;
  allowed_origins: string[];
  prometheus_labels: string[];
  enable_logging: boolean;
  disable_content_logging: boolean;
  log_retention_days: number;
  enforce_governance_header: boolean;
  enforce_auth_on_inference: boolean;
  allow_direct_keys: boolean;
  disable_db_pings_in_health: boolean;
}

export interface RuntimeConfig {
  readonly client: Readonly<ClientConfig>;
  readonly providers: Readonly<Record<string, Readonly<ProviderConfig>>>;
}

/** Where the engine gets its configuration; implementations swap snapshots atomically. */
export interface ConfigSource {
  current(): RuntimeConfig;
  /** Called with each new snapshot after it becomes current. Returns an unsubscribe function. */
  subscribe(listener: (config: RuntimeConfig) => void): () => void;
}
