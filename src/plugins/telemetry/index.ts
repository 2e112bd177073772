// Public surface of the telemetry (Prometheus) plugin.
export { createTelemetryPlugin, type TelemetryPlugin, type TelemetryOptions } from './plugin.js';
export { TELEMETRY_PLUGIN_NAME, telemetryConfigSchema, pushGatewaySchema, type TelemetryConfig, type PushGatewayConfig } from './config.js';
export { groupingPath, type PushGatewayClient } from './push-gateway.js';
export type { TelemetryMetrics } from './metrics.js';
