// The engine's public surface.
export { createGateway } from './create-gateway.js';
export { shuttingDown } from './errors.js';
export { accumulateText } from './stream-output.js';
