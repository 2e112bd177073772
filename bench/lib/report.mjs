// Turns the raw repetitions of a run into the figures people read: medians over repetitions,
// throughput ratios (paired per repetition, since targets are interleaved and neighbours in time
// share the same machine noise), added latency (target minus the direct-to-mock call measured in
// the same repetition), peak RSS, and pass/fail against the issue's targets. Prints a table and
// renders the same as Markdown; the JSON written next to it keeps every repetition.
export const GOALS = { ratioVsPassthrough: 0.8, rssMb: 120, ratioVsGateway: 0.9 };

/** The yardstick targets (bench/passthrough.mjs, bench/minimal-gateway.mjs): no goals apply to them. */
const REFERENCES = new Set(['passthrough', 'minimal']);

export function median(values) {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

function pairedRatios(reps, baseReps, pick) {
  return reps.map((rep, i) => (baseReps?.[i] ? pick(rep) / pick(baseReps[i]) : NaN));
}

/** Per mode and target: the medians and checks shown in the table. */
export function summarize(raw) {
  const summary = {};
  for (const [mode, byTarget] of Object.entries(raw.modes)) {
    const pass = byTarget.passthrough;
    const gateway = byTarget.gateway;
    const minimal = byTarget.minimal;
    summary[mode] = {};
    for (const [name, reps] of Object.entries(byTarget)) {
      if (reps.length === 0) continue;
      const rps = (r) => r.throughput.rps;
      const onGateway = ['governance', 'observability'].includes(name);
      const added = (field, p) => median(reps.map((r) => r.rate[field][p] - r.direct[field][p]));
      const row = {
        rps: median(reps.map(rps)),
        ratioVsPassthrough: name === 'passthrough' ? 1 : median(pairedRatios(reps, pass, rps)),
        ratioVsGateway: onGateway ? median(pairedRatios(reps, gateway, rps)) : undefined,
        // Event-loop capacity against the plain gateway's (its loop µs/req over this target's):
        // estimates the throughput ratio where the load generator and off-loop threads have cores
        // to spare.
        loopRatioVsGateway: onGateway ? median(pairedRatios(reps, gateway, (r) => 1 / r.loopCpuUsPerRequest)) : undefined,
        ratioVsMinimal: minimal && !REFERENCES.has(name) ? median(pairedRatios(reps, minimal, rps)) : undefined,
        cpuUsPerRequest: median(reps.map((r) => r.cpuUsPerRequest)),
        addedP50Us: added('latencyUs', 'p50'),
        addedP99Us: added('latencyUs', 'p99'),
        addedTtfbP50Us: mode === 'stream' ? added('ttfbUs', 'p50') : undefined,
        p50Us: median(reps.map((r) => r.rate.latencyUs.p50)),
        p99Us: median(reps.map((r) => r.rate.latencyUs.p99)),
        directP50Us: median(reps.map((r) => r.direct.latencyUs.p50)),
        directP99Us: median(reps.map((r) => r.direct.latencyUs.p99)),
        loopCpuUsPerRequest: median(reps.map((r) => r.loopCpuUsPerRequest)),
        cpuRatioVsPassthrough: name === 'passthrough' ? 1 : median(pairedRatios(reps, pass, (r) => r.cpuUsPerRequest)),
        rateCpuUsPerRequest: median(reps.map((r) => r.rateCpuUsPerRequest)),
        machineIdleShare: median(reps.map((r) => r.machineIdleShare)),
        rssPeakMb: Math.max(...reps.map((r) => r.rssPeakKb)) / 1024,
        rssRatePhasePeakMb: Math.max(...reps.map((r) => r.rssRatePeakKb)) / 1024,
        rssIdleMb: (raw.idleRssKb?.[name] ?? NaN) / 1024,
        errors: reps.reduce((n, r) => n + r.throughput.non2xx + r.throughput.errors + r.rate.failed + r.direct.failed, 0),
      };
      row.checks = checks(name, row);
      summary[mode][name] = row;
    }
  }
  return summary;
}

function checks(name, row) {
  const out = [];
  // The reference proxies are yardsticks, not the product: the issue's targets apply to the gateway.
  if (!REFERENCES.has(name)) {
    if (Number.isFinite(row.ratioVsPassthrough)) {
      out.push({ what: `≥ ${GOALS.ratioVsPassthrough}× pass-through`, ok: row.ratioVsPassthrough >= GOALS.ratioVsPassthrough });
    }
    out.push({ what: `RSS ≤ ${GOALS.rssMb} MB`, ok: row.rssPeakMb <= GOALS.rssMb });
    if (Number.isFinite(row.ratioVsGateway)) out.push({ what: 'within 10 % of gateway', ok: row.ratioVsGateway >= GOALS.ratioVsGateway });
  }
  if (row.errors > 0) out.push({ what: 'no errors', ok: false });
  return out;
}

const fmt = {
  int: (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–'),
  us: (v) => {
    if (!Number.isFinite(v)) return '–';
    return Math.abs(v) >= 10_000 ? `${(v / 1000).toFixed(1)} ms` : `${Math.round(v)} µs`;
  },
  percent: (v) => (Number.isFinite(v) ? `${Math.round(v * 100)} %` : '–'),
  ratio: (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–'),
  mb: (v) => (Number.isFinite(v) ? `${v.toFixed(1)}` : '–'),
};

const COLUMNS = [
  ['mode', (m) => m.mode],
  ['target', (m) => m.label],
  ['req/s', (m) => fmt.int(m.row.rps)],
  ['× pass', (m) => fmt.ratio(m.row.ratioVsPassthrough)],
  ['× min', (m) => (m.row.ratioVsMinimal === undefined ? '' : fmt.ratio(m.row.ratioVsMinimal))],
  ['× gw', (m) => (m.row.ratioVsGateway === undefined ? '' : fmt.ratio(m.row.ratioVsGateway))],
  ['CPU/req', (m) => fmt.us(m.row.cpuUsPerRequest)],
  ['CPU × pass', (m) => fmt.ratio(m.row.cpuRatioVsPassthrough)],
  ['event loop CPU/req', (m) => fmt.us(m.row.loopCpuUsPerRequest)],
  ['loop × gw', (m) => (m.row.loopRatioVsGateway === undefined ? '' : fmt.ratio(m.row.loopRatioVsGateway))],
  ['machine idle', (m) => fmt.percent(m.row.machineIdleShare)],
  ['CPU/req at rate', (m) => fmt.us(m.row.rateCpuUsPerRequest)],
  ['p50 added', (m) => fmt.us(m.row.addedP50Us)],
  ['p99 added', (m) => fmt.us(m.row.addedP99Us)],
  ['TTFB p50 added', (m) => (m.row.addedTtfbP50Us === undefined ? '' : fmt.us(m.row.addedTtfbP50Us))],
  ['direct p50/p99', (m) => `${fmt.us(m.row.directP50Us)} / ${fmt.us(m.row.directP99Us)}`],
  ['RSS idle/peak MB', (m) => `${fmt.mb(m.row.rssIdleMb)} / ${fmt.mb(m.row.rssPeakMb)}`],
  ['checks', (m) => m.row.checks.map((c) => `${c.ok ? 'ok' : 'FAIL'} ${c.what}`).join('; ')],
];

function rows(summary, labels) {
  const out = [];
  for (const [mode, byTarget] of Object.entries(summary)) {
    for (const [name, row] of Object.entries(byTarget)) {
      out.push({ mode, label: labels[name] ?? name, row });
    }
  }
  return out;
}

export function textTable(summary, labels) {
  const cells = [COLUMNS.map(([h]) => h), ...rows(summary, labels).map((m) => COLUMNS.map(([, f]) => f(m)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function markdown(raw, summary, labels) {
  const m = raw.meta;
  const header = `| ${COLUMNS.map(([h]) => h).join(' | ')} |\n|${COLUMNS.map(() => '---').join('|')}|`;
  const body = rows(summary, labels).map((r) => `| ${COLUMNS.map(([, f]) => f(r).replaceAll('|', '/')).join(' | ')} |`).join('\n');
  const remarks = [
    ...raw.skipped.map((s) => `- skipped **${s.target}**: ${s.reason}`),
    ...raw.notes.map((n) => `- ${n}`),
  ];
  return `# Bifrost-TS benchmark

- date: ${m.date}
- commit: ${m.commit}
- machine: ${m.machine}
- command: \`${m.command}\`
- settings: ${m.settingsText}

${header}
${body}
${remarks.length > 0 ? `\n${remarks.join('\n')}\n` : ''}
Medians over ${m.settings.repeats} interleaved repetitions. "× pass", "× min" and "× gw" are
per-repetition ratios of completed requests per second against the pass-through, the minimal
gateway (\`minimal-gateway.mjs\`: the least work Bifrost's protocol needs, with none of the
gateway's features) and the plain gateway (median of the ratios). "added" latency is the target's
percentile minus the percentile of direct calls to the mock made in the same open-loop job, interleaved with the target's requests at the same offered rate
(the "direct" column). CPU/req is the proxy process's utime+stime during the throughput phase
divided by the requests it completed ("CPU × pass": the same against the pass-through, lower is
better). "event loop CPU/req" is the main thread's share of it; the rest is other threads (V8's
garbage-collection helpers, the SQLite logs write thread). "loop × gw" is the plain gateway's event
loop CPU per request over this target's: an estimate of the throughput ratio on a machine where
the load generator, the mock and those other threads have cores of their own, so that the event
loop is the bottleneck. "machine idle" is the share of all cores' time left idle during the
throughput phase (\`/proc/stat\`): near 0 % every process together used the machine up, so any
thread's extra work costs throughput; well above it a single thread (the target's event loop, or
the load generator) was the limit.
"CPU/req at rate" is the same over the fixed-rate phase, where every target serves the same
offered load (at full load a slower proxy also pays more per request for waking idle peers, so
this column compares the work per request without that effect). RSS idle is VmRSS right after
start-up; RSS peak the largest VmRSS sampled every 50 ms during the throughput phases (fixed
connections); the JSON also keeps the peak of the open-loop phases (\`rssRatePhasePeakMb\`), which
a stalled shared machine can inflate.
`;
}
