// Observability wiring: the telemetry plugin and /metrics (on unless config.json disables it, as
// Bifrost always loads it), and request logging with /api/logs and /ws, which follows
// `client.enable_logging` and needs a logs store (`logs_store`, default SQLite
// `<app-dir>/logs.db`). Both are observers: they never sit in the request path. Each feature's
// modules (prom-client; the logs store, kysely, a driver and ws) are imported only when it is on.
import type { TelemetryConfig } from '../plugins/telemetry/index.js';
import { telemetryConfigSchema } from '../plugins/telemetry/config.js';
import type { Logger } from '../core/index.js';
import type { LogsStore } from '../storage/logs/index.js';
import { parseStoreBlock } from '../storage/store-block.js';
import { takePending, type WiringContext } from './context.js';
import { LOGGING_PLUGIN_NAME, TELEMETRY_PLUGIN_NAME } from './plugins.js';

/** How often partitions are prepared and retention applied. */
const LOG_MAINTENANCE_MS = 60 * 60 * 1000;

export async function wireObservability(w: WiringContext): Promise<void> {
  await wireTelemetry(w);
  await wireRequestLogging(w);
}

async function wireTelemetry(w: WiringContext): Promise<void> {
  const entry = takePending(w.plugins, TELEMETRY_PLUGIN_NAME);
  if (w.loaded.config.plugins.some((p) => p.name === TELEMETRY_PLUGIN_NAME && !p.enabled)) return;
  const config = (entry.config ?? telemetryConfigSchema.parse({})) as TelemetryConfig;
  // Loaded only with telemetry on: prom-client's registry is the bulk of its cost.
  const [{ createTelemetryPlugin }, { metricsRoute }] = await Promise.all([
    import('../plugins/telemetry/index.js'),
    import('../transports/http/metrics-route.js'),
  ]);
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
  // Loaded only with a logs store to write to: the store (kysely and its driver), the plugin, /api/logs and /ws (ws).
  const [{ openDatabase }, { openLogsStore }, { createLoggingPlugin, WRITER_DEFAULTS }, { logsRoutes }] = await Promise.all([
    import('../storage/database.js'),
    import('../storage/logs/index.js'),
    import('../plugins/logging/index.js'),
    import('../transports/http/logs/index.js'),
  ]);
  const database = openDatabase(spec, { logger: w.logger });
  // `logs_store.writer`, validated by the config loader; absent fields keep the writer's defaults.
  const writer = w.loaded.config.logs_store?.writer ?? {};
  const maxBatch = writer.max_batch_size ?? WRITER_DEFAULTS.maxBatch;
  const flushIntervalMs = writer.batch_interval ?? WRITER_DEFAULTS.flushIntervalMs;
  const store = await openLogsStore(database, {
    retentionDays: () => w.holder.current().client.log_retention_days, logger: w.logger,
    // The SQLite write thread commits the rows it is handed on the writer's batch size and interval.
    commit: { rows: maxBatch, intervalMs: flushIntervalMs },
  });
  const logging = createLoggingPlugin({
    store, logger: w.logger, contentLoggingDisabled: () => w.holder.current().client.disable_content_logging,
    maxBatch, flushIntervalMs, maxBatchBytes: writer.max_batch_bytes, capacity: writer.write_queue_capacity,
    maxBufferBytes: writer.write_queue_max_bytes,
  });
  const shared = spec.type === 'postgres';
  const maintenance = setInterval(() => void maintainLogs(store, { shared, isLeader: w.isLeader, logger: w.logger }), LOG_MAINTENANCE_MS);
  maintenance.unref();
  w.plugins.push(logging);
  w.routes.push(logsRoutes({ store, logging, config: w.holder, logger: w.logger }));
  w.closers.push(async () => {
    clearInterval(maintenance);
    await logging.close();
    await database.close();
  });
}

/**
 * One log-maintenance round (partitions ahead, retention). A PostgreSQL logs store is shared by
 * every replica, so only the cluster's leader runs it (each replica still makes today's partitions
 * at startup, under an advisory lock); a SQLite store is the replica's own. Returns whether it ran.
 */
export async function maintainLogs(store: Pick<LogsStore, 'maintain'>, options: { shared: boolean; isLeader: () => boolean; logger: Logger }): Promise<boolean> {
  if (options.shared && !options.isLeader()) return false;
  await store.maintain().catch((error: unknown) => options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'log maintenance failed'));
  return true;
}
