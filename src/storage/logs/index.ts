// Public surface of the request-logs store.
export { openLogsStore, createLogsStore, type LogsStore, type LogsStoreOptions, type LogSearchResult, type LogStats } from './store.js';
export { SORT_FIELDS, type LogFilters, type LogQuery, type SortField } from './query.js';
export { LOGS_MIGRATIONS, LOGS_TABLE } from './schema.js';
export { partitionName, listPartitions, DAY_MS } from './partitions.js';
