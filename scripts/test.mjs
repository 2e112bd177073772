#!/usr/bin/env node
// Runs every test file (`*.test.ts`, `*.test.mjs`) under src/, test/ and bench/ — or under the folders given as
// arguments — on Node's built-in runner with TypeScript loaded through tsx. One place decides how
// tests run, so `npm test`, CI and a developer's single-folder run behave the same.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'test', 'bench'];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts') || name.endsWith('.test.mjs')) files.push(path);
  }
};
for (const root of roots) {
  if (statSync(root, { throwIfNoEntry: false })?.isFile()) files.push(root);
  else if (statSync(root, { throwIfNoEntry: false })) walk(root);
}
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
files.sort();
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...files,
], { stdio: 'inherit' });
process.exit(result.status ?? 1);
