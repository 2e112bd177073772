// A small, strict parser for the Prometheus text exposition format (version 0.0.4), used by the
// observability tests to read `/metrics` and Pushgateway output. Strict means it throws on
// anything a real Prometheus scrape would reject: bad names, bad escapes, samples before their
// TYPE, duplicate series, histograms whose buckets are not cumulative or disagree with `_count`.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
      const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad type, ${where}`);
        if (family.samples.length > 0) throw new Error(`TYPE after samples, ${where}`);
        family.type = rest as Family['type'];
      } else {
        family.help = rest.replaceAll('\\n', '\n').replaceAll('\\\\', '\\');
      }
      families.set(name, family);
      return;
    }
    const sample = parseSample(line, where);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series, ${where}`);
    seen.add(key);
    const family = familyOf(families, sample.name);
    if (!family) throw new Error(`sample without a declared family, ${where}`);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || family.type === 'summary')) return family;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i += 1;
  const name = line.slice(0, i);
  if (!NAME.test(name)) throw new Error(`bad sample name, ${where}`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i += 1;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) throw new Error(`bad label, ${where}`);
      const label = line.slice(i, eq);
      if (!LABEL.test(label)) throw new Error(`bad label name "${label}", ${where}`);
      if (line[eq + 1] !== '"') throw new Error(`label value not quoted, ${where}`);
      let j = eq + 2;
      let value = '';
      for (;;) {
        const c = line[j];
        if (c === undefined) throw new Error(`unterminated label value, ${where}`);
        if (c === '"') break;
        if (c === '\\') {
          const n = line[j + 1];
          if (n === 'n') value += '\n';
          else if (n === '\\' || n === '"') value += n;
          else throw new Error(`bad escape, ${where}`);
          j += 2;
        } else {
          value += c;
          j += 1;
        }
      }
      if (label in labels) throw new Error(`duplicate label ${label}, ${where}`);
      labels[label] = value;
      i = j + 1;
      if (line[i] === ',') i += 1;
      else if (line[i] !== '}') throw new Error(`expected , or }, ${where}`);
    }
    i += 1;
  }
  if (line[i] !== ' ') throw new Error(`expected space before value, ${where}`);
  const parts = line.slice(i + 1).split(' ');
  if (parts.length < 1 || parts.length > 2) throw new Error(`bad value, ${where}`);
  const value = parseValue(parts[0]!, where);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`bad timestamp, ${where}`);
  return { name, labels, value };
}

function parseValue(raw: string, where: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`bad value "${raw}", ${where}`);
  return Number(raw);
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number }>();
  const keyOf = (labels: Record<string, string>): string =>
    JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());
  for (const s of family.samples) {
    const group = groups.get(keyOf(s.labels)) ?? { buckets: [] };
    if (s.name.endsWith('_bucket')) {
      const le = s.labels.le;
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      group.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name.endsWith('_count')) group.count = s.value;
    groups.set(keyOf(s.labels), group);
  }
  for (const [key, group] of groups) {
    const sorted = [...group.buckets].sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < sorted.length; k += 1) {
      if (sorted[k]![1] < sorted[k - 1]![1]) throw new Error(`${family.name}${key}: buckets not cumulative`);
    }
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (group.count !== inf[1]) throw new Error(`${family.name}${key}: +Inf bucket ${inf[1]} != count ${group.count}`);
  }
}

/** Samples of `name` whose labels include every given pair. */
export function find(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): Sample[] {
  const family = familyOf(families, name);
  if (!family) return [];
  return family.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** Sum of the values of matching samples. */
export function total(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  return find(families, name, labels).reduce((sum, s) => sum + s.value, 0);
}
