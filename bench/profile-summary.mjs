// Reads a V8 .cpuprofile (from `node bench/run.mjs --cpu-prof DIR`) and prints where the time went:
// self time per function and per module (a node_modules package, a dist/ file, or Node's
// internals), so a hot-path change can be aimed at what costs most. Usage:
// `node bench/profile-summary.mjs DIR/gateway-plain.cpuprofile [--top 25]`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

function moduleOf(url) {
  if (!url) return '(native / gc / idle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const dist = /\/dist\/(.+)$/.exec(url);
  if (dist) return `dist/${dist[1]}`;
  if (url.startsWith('node:')) return url;
  return url;
}

function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas ?? [];
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0)));
  const fns = new Map();
  const mods = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    const frame = node.callFrame;
    total += us;
    const fnKey = `${frame.functionName || '(anonymous)'}  ${moduleOf(frame.url)}:${frame.lineNumber + 1}`;
    fns.set(fnKey, (fns.get(fnKey) ?? 0) + us);
    const mod = frame.url ? moduleOf(frame.url) : frame.functionName;
    mods.set(mod, (mods.get(mod) ?? 0) + us);
  }
  return { total, fns, mods };
}

function print(title, map, total, top) {
  process.stdout.write(`\n${title}\n`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}\n`);
  }
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length === 0) {
  process.stderr.write('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
for (const file of positionals) {
  const { total, fns, mods } = summarize(JSON.parse(readFileSync(file, 'utf8')));
  process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n`);
  print('self time by module', mods, total, Number(values.top));
  print('self time by function', fns, total, Number(values.top));
}
