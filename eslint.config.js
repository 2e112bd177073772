// Lint rules for Bifrost-TS. Besides typescript-eslint's recommended set, one architectural rule:
// src/core is the engine and must not depend on the HTTP transport, plugins, storage or cluster
// code (DESIGN.md: dependencies point inward, main.ts is the only place that sees everything).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

import globals from 'globals';

const outward = ['transports', 'plugins', 'storage', 'cluster', 'config'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'ui/**', 'coverage/**', 'test/interop/**/*.go'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: [...outward.flatMap((d) => [`**/${d}/**`, `**/${d}/index.js`]), '**/main.js', '**/cli.js'],
          message: 'src/core must not import transports, plugins, storage, cluster or config (see DESIGN.md).',
        }, {
          group: ['fastify', 'fastify/*', 'pg', 'better-sqlite3', 'kysely', 'pino', 'prom-client'],
          message: 'src/core stays free of HTTP frameworks, database drivers and telemetry libraries.',
        }],
      }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/config reads process.env.' }],
    },
  },
  {
    files: ['src/plugins/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        group: ['**/transports/**', '**/storage/**', '**/cluster/**'],
        message: 'plugins import core only (see DESIGN.md).',
      }] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
