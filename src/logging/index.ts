// Public surface of the process logger factory.
export * from './logger.js';
