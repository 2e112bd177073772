// Metric families for the request path. prom-client's own Counter/Histogram validate and hash
// the whole label object on every call — with Bifrost's 16+ labels and ~14 observations per
// request that is most of the plugin's cost. These families key a series by its label values
// joined once per request, keep plain numbers, and only build label objects when Prometheus
// scrapes. They register on a prom-client Registry like any metric (name, help, type, get()).
import type { Registry } from 'prom-client';

const SEP = '\u0000';
/**
 * Series per family at most. Custom label values come from request headers, so a caller could
 * otherwise grow memory without bound; past the cap new label sets share one `_OTHER` series.
 */
export const MAX_SERIES = 10_000;
const OVERFLOW_KEY = '\u0001overflow';

export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
  /** Histograms: per-bucket (non-cumulative) counts, last slot is +Inf. */
  counts: number[] | undefined;
  sum: number;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

export type FamilyType = 'counter' | 'gauge' | 'histogram';

let resets = 0;
/** Bumped whenever any family drops its series, so caches of Series objects know to start over. */
export function seriesResets(): number {
  return resets;
}

export class Family {
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: FamilyType,
    private readonly opts: { labelNames: readonly string[]; buckets?: readonly number[]; registry: Registry },
  ) {
    // Duck-typed metric: the registry calls name/help/type/get() when it renders.
    opts.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  get labelNames(): readonly string[] {
    return this.opts.labelNames;
  }

  /** The series for these label values (in `labelNames` order); `key` is their joined form. */
  child(values: readonly string[], key = values.join(SEP)): Series {
    let series = this.series.get(key);
    if (!series) {
      const overflow = this.series.size >= MAX_SERIES;
      if (overflow) {
        const shared = this.series.get(OVERFLOW_KEY);
        if (shared) return shared;
      }
      const labels: Record<string, string> = {};
      this.opts.labelNames.forEach((name, i) => { labels[name] = overflow ? '_OTHER' : values[i] ?? ''; });
      const buckets = this.opts.buckets;
      series = { labels, value: 0, counts: buckets ? new Array<number>(buckets.length + 1).fill(0) : undefined, sum: 0 };
      this.series.set(overflow ? OVERFLOW_KEY : key, series);
    }
    return series;
  }

  inc(series: Series, amount = 1): void {
    series.value += amount;
  }

  observe(series: Series, value: number): void {
    const buckets = this.opts.buckets ?? [];
    let i = 0;
    while (i < buckets.length && value > buckets[i]!) i += 1;
    series.counts![i]! += 1;
    series.sum += value;
    series.value += 1;
  }

  async get(): Promise<{ name: string; help: string; type: FamilyType; values: MetricValue[]; aggregator: string }> {
    const values: MetricValue[] = [];
    const buckets = this.opts.buckets;
    for (const series of this.series.values()) {
      if (!buckets || !series.counts) {
        values.push({ value: series.value, labels: { ...series.labels } });
        continue;
      }
      let cumulative = 0;
      buckets.forEach((le, i) => {
        cumulative += series.counts![i]!;
        values.push({ value: cumulative, labels: { ...series.labels, le }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: series.value, labels: { ...series.labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: series.sum, labels: { ...series.labels }, metricName: `${this.name}_sum` });
      values.push({ value: series.value, labels: { ...series.labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.clear();
    resets += 1;
  }
}

export function seriesKey(values: readonly string[]): string {
  return values.join(SEP);
}
