// Label names and label values for the telemetry plugin. Bifrost attaches one fixed set of base
// labels to every `bifrost_*` series and appends the operator's custom labels
// (`client.prometheus_labels` / plugin `custom_labels`), whose values come from the caller's
// `x-bf-dim-<label>` headers (legacy `x-bf-prom-<label>`). Keeping the order in one place means
// every metric is observed with exactly the label set it was declared with.
import type { RequestContext, RequestType } from '../../core/index.js';

export const HTTP_LABELS = ['path', 'method', 'status'] as const;

export const BIFROST_LABELS = [
  'provider', 'model', 'alias', 'method',
  'virtual_key_id', 'virtual_key_name',
  'routing_engine_used', 'routing_rule_id', 'routing_rule_name',
  'selected_key_id', 'selected_key_name', 'fallback_index',
  'team_id', 'team_name', 'customer_id', 'customer_name',
] as const;

export type BifrostLabel = (typeof BIFROST_LABELS)[number];
export type LabelValues = Record<string, string>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface CustomLabel {
  /** The Prometheus label name (hyphens become underscores). */
  name: string;
  /** Lower-cased header names carrying its value, newest convention first. */
  headers: [string, string];
}

/**
 * Turns configured custom label names into labels. Names that clash with a base label are
 * dropped (Bifrost does the same); names that cannot be Prometheus labels are reported back.
 */
export function customLabels(names: readonly string[]): { labels: CustomLabel[]; rejected: string[] } {
  const reserved = new Set<string>([...HTTP_LABELS, ...BIFROST_LABELS, 'status_code', 'is_success', 'cache_type']);
  const labels: CustomLabel[] = [];
  const rejected: string[] = [];
  const seen = new Set<string>();
  for (const raw of names) {
    const header = raw.trim().toLowerCase();
    const name = header.replaceAll('-', '_');
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      rejected.push(raw);
      continue;
    }
    if (reserved.has(name) || seen.has(name)) continue;
    seen.add(name);
    labels.push({ name, headers: [`x-bf-dim-${header}`, `x-bf-prom-${header}`] });
  }
  return { labels, rejected };
}

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** Custom label values in label order, from request headers; a missing header is the empty value. */
export function customLabelList(labels: readonly CustomLabel[], headers: HeaderBag): string[] {
  return labels.map((label) => headerValue(headers, label.headers[0]) ?? headerValue(headers, label.headers[1]) ?? '');
}

/** Custom label values from request headers; a missing header is the empty value. */
export function customLabelValues(labels: readonly CustomLabel[], headers: HeaderBag): LabelValues {
  const values: LabelValues = {};
  for (const label of labels) {
    values[label.name] = headerValue(headers, label.headers[0]) ?? headerValue(headers, label.headers[1]) ?? '';
  }
  return values;
}

function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : value;
}

/** Bifrost's `method` label: the request type, with `_stream` for streaming calls. */
export function methodLabel(requestType: RequestType, stream: boolean): string {
  return stream ? `${requestType}_stream` : requestType;
}

/**
 * Governance facts other plugins leave in `ctx.values` (virtual key, team, customer, routing).
 * Read defensively: the values map is shared scratch space and its entries are plain objects.
 */
export function governanceLabels(ctx: RequestContext): Partial<Record<BifrostLabel, string>> {
  const facts = ctx.values.get('governance');
  if (!facts || typeof facts !== 'object') return {};
  const record = facts as Record<string, unknown>;
  // The governance plugin stores the admitted virtual key as `vk`; flat fields are accepted too.
  const vk = record.vk && typeof record.vk === 'object' ? record.vk as Record<string, unknown> : {};
  const pick = (from: Record<string, unknown>, ...keys: string[]): string | undefined => {
    for (const key of keys) {
      const value = from[key];
      if (typeof value === 'string' && value !== '') return value;
    }
    return undefined;
  };
  const out: Partial<Record<BifrostLabel, string>> = {};
  const set = (label: BifrostLabel, value: string | undefined): void => {
    if (value !== undefined) out[label] = value;
  };
  set('virtual_key_id', pick(vk, 'id') ?? pick(record, 'virtual_key_id'));
  set('virtual_key_name', pick(vk, 'name') ?? pick(record, 'virtual_key_name'));
  set('team_id', pick(vk, 'team_id') ?? pick(record, 'team_id'));
  set('team_name', pick(record, 'team_name'));
  set('customer_id', pick(vk, 'customer_id') ?? pick(record, 'customer_id'));
  set('customer_name', pick(record, 'customer_name'));
  set('routing_rule_id', pick(record, 'routing_rule_id'));
  set('routing_rule_name', pick(record, 'routing_rule_name'));
  return out;
}
