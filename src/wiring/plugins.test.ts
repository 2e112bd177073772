// The wiring restates the built-in plugin names so that matching one loads none of the plugin;
// these must stay equal to the plugins' own constants, or a config entry would silently miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GOVERNANCE_PLUGIN as governanceName } from '../plugins/governance/index.js';
import { LOGGING_PLUGIN_NAME as loggingName } from '../plugins/logging/index.js';
import { TELEMETRY_PLUGIN_NAME as telemetryName } from '../plugins/telemetry/index.js';
import { GOVERNANCE_PLUGIN, LOGGING_PLUGIN_NAME, TELEMETRY_PLUGIN_NAME } from './plugins.js';

test('wiring plugin names equal the plugins\' own', () => {
  assert.equal(GOVERNANCE_PLUGIN, governanceName);
  assert.equal(TELEMETRY_PLUGIN_NAME, telemetryName);
  assert.equal(LOGGING_PLUGIN_NAME, loggingName);
});
