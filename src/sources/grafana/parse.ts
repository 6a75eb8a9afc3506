import { z } from 'zod';
import type { NormalizedEvent, Severity } from '../../core/types.js';
import { mapPrometheusAlert, optionalString, PROMETHEUS_SEVERITY_MAP, PROMETHEUS_STATUS_MAP, stringMap } from '../alertmanager/common.js';
import type { SourceParser } from '../types.js';
import { parseWith } from '../validate.js';

/** Lower-cased value of the `severity` label → dutybot severity. Anything else is `warning`. */
export const GRAFANA_SEVERITY_MAP = PROMETHEUS_SEVERITY_MAP;
export const GRAFANA_DEFAULT_SEVERITY: Severity = 'warning';

/** Per-alert `status` → event type (the deprecated top-level `state` is not used). */
export const GRAFANA_STATUS_MAP = PROMETHEUS_STATUS_MAP;

const STATUSES = Object.keys(GRAFANA_STATUS_MAP) as [keyof typeof GRAFANA_STATUS_MAP, ...(keyof typeof GRAFANA_STATUS_MAP)[]];

/**
 * Grafana unified alerting webhook contact point (payload `version` "1"): an Alertmanager
 * notification plus `orgId`, `title`, `state`, `message` and per-alert URLs. `dashboardURL` and
 * `panelURL` are "" when the rule is not linked to a panel; `values` is null for NoData/Error.
 */
const alertSchema = z.looseObject({
  status: z.enum(STATUSES),
  labels: stringMap,
  annotations: stringMap.nullish(),
  startsAt: optionalString,
  endsAt: optionalString,
  generatorURL: optionalString,
  fingerprint: optionalString,
  silenceURL: optionalString,
  dashboardURL: optionalString,
  panelURL: optionalString,
  imageURL: optionalString,
  values: z.record(z.string(), z.unknown()).nullish(),
  valueString: optionalString,
});

const bodySchema = z.looseObject(
  {
    receiver: optionalString,
    status: optionalString,
    orgId: z.number().nullish(),
    externalURL: optionalString,
    version: optionalString,
    groupKey: optionalString,
    title: optionalString,
    state: optionalString,
    message: optionalString,
    alerts: z.array(alertSchema).min(1, 'expected at least one alert'),
  },
  { error: 'expected a JSON object' },
);

/** Grafana keeps internal labels as `__name__`-style keys; they are not for people. */
function publicLabels(labels: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => !/^__.*__$/.test(name)));
}

export const grafanaParser: SourceParser = {
  type: 'grafana',
  parse(body: unknown): NormalizedEvent[] {
    const payload = parseWith(bodySchema, body);
    return payload.alerts.map((alert) =>
      mapPrometheusAlert(
        { ...alert, labels: publicLabels(alert.labels) },
        {
          severity: GRAFANA_SEVERITY_MAP,
          defaultSeverity: GRAFANA_DEFAULT_SEVERITY,
          status: GRAFANA_STATUS_MAP,
          fallbackTitle: 'Grafana alert',
        },
        [
          { text: 'Dashboard', href: alert.dashboardURL },
          { text: 'Panel', href: alert.panelURL },
          { text: 'Silence', href: alert.silenceURL },
          { text: 'Image', href: alert.imageURL },
        ],
      ),
    );
  },
};
