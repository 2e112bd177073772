// Public surface of the telemetry (Prometheus) plugin.
export { createTelemetryPlugin, TELEMETRY_PLUGIN_NAME, type TelemetryPlugin, type TelemetryOptions } from './plugin.js';
export { telemetryConfigSchema, pushGatewaySchema, type TelemetryConfig, type PushGatewayConfig } from './config.js';
export { groupingPath, type PushGatewayClient } from './push-gateway.js';
export type { TelemetryMetrics } from './metrics.js';
