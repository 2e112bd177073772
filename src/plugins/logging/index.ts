// Public surface of the request logging plugin.
export { createLoggingPlugin, LOGGING_PLUGIN_NAME, type LoggingPlugin, type LoggingOptions } from './plugin.js';
export { createLogWriter, WRITER_DEFAULTS, type LogWriter, type WriterStats, type WriterOptions } from './writer.js';
export { toApiLog, type ApiLog } from './api-shape.js';
export type { LogEntry, LogStore, LogStatus, LiveLogEvent } from './types.js';
