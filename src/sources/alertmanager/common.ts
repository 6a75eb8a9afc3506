import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Label, Link, NormalizedEvent, Severity } from '../../core/types.js';
import { clean, labelValue, safeLinks, toLabels } from '../labels.js';

/**
 * Prometheus-style `severity` label (lower-cased) → dutybot severity, shared by Alertmanager and
 * Grafana, which both carry Prometheus alert labels. Anything else is `warning`.
 */
export const PROMETHEUS_SEVERITY_MAP: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  page: 'critical',
  high: 'critical',
  error: 'critical',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  info: 'info',
  low: 'info',
  none: 'info',
};

/** Per-alert `status` → event type, for both. */
export const PROMETHEUS_STATUS_MAP = {
  firing: 'trigger',
  resolved: 'resolve',
} as const satisfies Record<string, NormalizedEvent['eventType']>;


/**
 * What Alertmanager's webhook (payload version 4) and Grafana's unified-alerting webhook share:
 * both are Alertmanager notifications, one entry per alert in `alerts[]`. Each parser keeps its
 * own severity and status maps and passes them in.
 */

/** Label and annotation values are strings in both tools; anything else is kept and stringified by toLabels. */
export const stringMap = z.record(z.string(), z.unknown());
/** Optional string fields may be absent, null (some proxies) or "" (Grafana's empty dashboardURL). */
export const optionalString = z.string().nullish();

export interface PrometheusStyleAlert<S extends string> {
  status: S;
  labels: Record<string, unknown>;
  annotations?: Record<string, unknown> | null;
  startsAt?: string | null;
  endsAt?: string | null;
  generatorURL?: string | null;
  fingerprint?: string | null;
}

export interface AlertMaps<S extends string> {
  /** Lower-cased `severity` label → severity. */
  severity: Readonly<Record<string, Severity>>;
  /** Used when the `severity` label is missing or not in the map. */
  defaultSeverity: Severity;
  status: Readonly<Record<S, NormalizedEvent['eventType']>>;
  /** Title when an alert has neither `annotations.summary` nor `labels.alertname`. */
  fallbackTitle: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * `startsAt` / `endsAt` are Go RFC 3339 times (up to nanoseconds). Go's zero time
 * `0001-01-01T00:00:00Z` means "not set" (endsAt of a firing alert); it and anything
 * unparsable become undefined, never an Invalid Date.
 */
export function alertTime(s: string | null | undefined): Date | undefined {
  const t = s?.trim();
  if (!t || !RFC3339.test(t)) return undefined;
  const d = new Date(t);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1) return undefined;
  return d;
}

/**
 * A stable key for an alert that came without a fingerprint: sha256 of its label set, sorted by
 * code unit (not locale) so every process computes the same key.
 */
export function labelsFingerprint(labels: readonly Label[]): string {
  const pairs = labels.map((l) => [l.name, l.value] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex');
}

/** Looks a value up in a declared map without ever reaching Object.prototype (`constructor`, …). */
export function lookup<V>(map: Readonly<Record<string, V>>, key: string | undefined): V | undefined {
  return key !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

export function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Keeps the first link for each href, then drops anything that is not an http(s) URL. */
export function links(candidates: ReadonlyArray<{ text: string; href: string | null | undefined }>): Link[] {
  const seen = new Set<string>();
  const out: Link[] = [];
  for (const c of candidates) {
    const href = c.href?.trim();
    if (!href || seen.has(href)) continue;
    seen.add(href);
    out.push({ text: c.text, href });
  }
  return safeLinks(out);
}

/**
 * One alert → one NormalizedEvent: dedupKey is the fingerprint (or a sha256 of the labels),
 * occurredAt is startsAt for a trigger and endsAt for a resolve.
 */
export function mapPrometheusAlert<S extends string>(
  alert: PrometheusStyleAlert<S>,
  maps: AlertMaps<S>,
  extraLinks: ReadonlyArray<{ text: string; href: string | null | undefined }> = [],
): NormalizedEvent {
  const labels = toLabels(alert.labels);
  const annotations = alert.annotations ?? {};
  const eventType = maps.status[alert.status];
  const severityLabel = labelValue(labels, 'severity')?.trim().toLowerCase();
  const fingerprint = clean(alert.fingerprint, 255);
  const dedupKey = fingerprint ?? labelsFingerprint(labels);
  return {
    eventType,
    dedupKey,
    title:
      clean(text(annotations.summary), 1000) ?? clean(labelValue(labels, 'alertname'), 1000) ?? maps.fallbackTitle,
    severity: lookup(maps.severity, severityLabel) ?? maps.defaultSeverity,
    description: clean(text(annotations.description), 20000) ?? clean(text(annotations.message), 20000),
    host: clean(labelValue(labels, 'instance') ?? labelValue(labels, 'host')),
    service: clean(labelValue(labels, 'service') ?? labelValue(labels, 'job')),
    labels,
    links: links([
      { text: 'Source', href: alert.generatorURL },
      { text: 'Runbook', href: text(annotations.runbook_url) },
      ...extraLinks,
      { text: 'Dashboard', href: text(annotations.dashboard_url) ?? text(annotations.grafana) },
    ]),
    occurredAt: eventType === 'resolve' ? alertTime(alert.endsAt) : alertTime(alert.startsAt),
  };
}
