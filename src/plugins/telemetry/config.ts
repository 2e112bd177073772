// The telemetry plugin's own configuration, as Bifrost's `plugins[].config` for `telemetry`:
// extra custom labels and the Prometheus Pushgateway block. `client.prometheus_labels` is merged
// in by the composition root; env references are already resolved by src/config.
import { z } from 'zod';

/** The plugin's name in config.json `plugins` (here, so the wiring can match it without loading prom-client). */
export const TELEMETRY_PLUGIN_NAME = 'telemetry';

export const pushGatewaySchema = z.object({
  enabled: z.boolean().default(false),
  push_gateway_url: z.string().default(''),
  job_name: z.string().default('bifrost'),
  /** Grouping label `instance`; the hostname when empty. */
  instance_id: z.string().default(''),
  /** Seconds between pushes (Bifrost accepts 1–300). */
  push_interval: z.number().int().min(1).max(300).default(15),
  basic_auth: z.object({ username: z.string(), password: z.string() }).optional(),
}).superRefine((value, ctx) => {
  if (!value.enabled) return;
  if (!URL.canParse(value.push_gateway_url)) {
    ctx.addIssue({ code: 'custom', path: ['push_gateway_url'],
      message: 'push_gateway_url must be an absolute http(s) URL when push_gateway is enabled' });
  }
});

export const telemetryConfigSchema = z.object({
  custom_labels: z.array(z.string()).default([]),
  push_gateway: pushGatewaySchema.optional(),
}).default({ custom_labels: [] });

export type PushGatewayConfig = z.infer<typeof pushGatewaySchema>;
export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;
