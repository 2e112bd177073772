// Observability wiring: the telemetry plugin and /metrics (on unless config.json disables it, as
// Bifrost always loads it), and request logging with /api/logs and /ws, which follows
// `client.enable_logging` and needs a logs store (`logs_store`, default SQLite
// `<app-dir>/logs.db`). Both are observers: they never sit in the request path.
import { createLoggingPlugin, LOGGING_PLUGIN_NAME } from '../plugins/logging/index.js';
import { createTelemetryPlugin, telemetryConfigSchema, TELEMETRY_PLUGIN_NAME, type TelemetryConfig } from '../plugins/telemetry/index.js';
import { openDatabase, parseStoreBlock } from '../storage/database.js';
import { openLogsStore } from '../storage/logs/index.js';
import { logsRoutes } from '../transports/http/logs/index.js';
import { metricsRoute } from '../transports/http/metrics-route.js';
import { takePending, type WiringContext } from './context.js';

/** How often partitions are prepared and retention applied. */
const LOG_MAINTENANCE_MS = 60 * 60 * 1000;

export async function wireObservability(w: WiringContext): Promise<void> {
  wireTelemetry(w);
  await wireRequestLogging(w);
}

function wireTelemetry(w: WiringContext): void {
  const entry = takePending(w.plugins, TELEMETRY_PLUGIN_NAME);
  if (w.loaded.config.plugins.some((p) => p.name === TELEMETRY_PLUGIN_NAME && !p.enabled)) return;
  const config = (entry.config ?? telemetryConfigSchema.parse({})) as TelemetryConfig;
  const telemetry = createTelemetryPlugin({
    customLabels: [...w.loaded.config.client.prometheus_labels, ...config.custom_labels],
    ...(config.push_gateway ? { pushGateway: config.push_gateway } : {}),
    logger: w.logger,
  });
  w.plugins.push(telemetry);
  w.routes.push(metricsRoute(telemetry));
  w.exchangeObservers.push((exchange) => telemetry.recordHttp(exchange));
  w.closers.push(() => telemetry.close());
}

async function wireRequestLogging(w: WiringContext): Promise<void> {
  takePending(w.plugins, LOGGING_PLUGIN_NAME);
  const client = w.loaded.config.client;
  const block = (w.loaded.config as { logs_store?: unknown }).logs_store;
  // Without an app dir (embedded/tests) only an explicit logs_store turns logging on.
  if (!client.enable_logging || (w.appDir === undefined && block === undefined)) return;
  const spec = parseStoreBlock(block, { name: 'logs_store', appDir: w.appDir ?? '.', defaultFile: 'logs.db' });
  if (!spec) return;
  const database = openDatabase(spec, { logger: w.logger });
  const store = await openLogsStore(database, { retentionDays: () => w.holder.current().client.log_retention_days, logger: w.logger });
  // `logs_store.writer`, validated by the config loader; absent fields keep the writer's defaults.
  const writer = w.loaded.config.logs_store?.writer ?? {};
  const logging = createLoggingPlugin({
    store, logger: w.logger, contentLoggingDisabled: () => w.holder.current().client.disable_content_logging,
    ...(writer.max_batch_size !== undefined ? { maxBatch: writer.max_batch_size } : {}),
    ...(writer.batch_interval !== undefined ? { flushIntervalMs: writer.batch_interval } : {}),
    ...(writer.max_batch_bytes !== undefined ? { maxBatchBytes: writer.max_batch_bytes } : {}),
    ...(writer.write_queue_capacity !== undefined ? { capacity: writer.write_queue_capacity } : {}),
  });
  const maintenance = setInterval(() => {
    store.maintain().catch((error: unknown) => w.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'log maintenance failed'));
  }, LOG_MAINTENANCE_MS);
  maintenance.unref();
  w.plugins.push(logging);
  w.routes.push(logsRoutes({ store, logging, config: w.holder, logger: w.logger }));
  w.closers.push(async () => {
    clearInterval(maintenance);
    await logging.close();
    await database.close();
  });
}
