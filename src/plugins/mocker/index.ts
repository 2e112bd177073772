// Public surface of the `bifrost-mocker` plugin.
export { createMockerPlugin, messageText, MOCKER_PLUGIN_NAME, type MockerDeps } from './plugin.js';
export { mockerConfigSchema, durationMs, compileRegex, type MockerConfig, type MockRule } from './config.js';
