// Public surface of the logs API and live logs transport.
export { logsRoutes, type LogsRoutesOptions } from './routes.js';
export { parseLogQuery, DEFAULT_LIMIT, MAX_LIMIT } from './query-params.js';
export { registerLiveLogs, WS_PATH } from './live.js';
