import { z } from 'zod';
import type { NormalizedEvent, Severity } from '../../core/types.js';
import type { SourceParser } from '../types.js';
import { parseWith } from '../validate.js';
import { mapPrometheusAlert, optionalString, PROMETHEUS_SEVERITY_MAP, PROMETHEUS_STATUS_MAP, stringMap } from './common.js';

/** Lower-cased value of the `severity` label → dutybot severity. Anything else is `warning`. */
export const ALERTMANAGER_SEVERITY_MAP = PROMETHEUS_SEVERITY_MAP;
export const ALERTMANAGER_DEFAULT_SEVERITY: Severity = 'warning';

/** Per-alert `status` → event type. */
export const ALERTMANAGER_STATUS_MAP = PROMETHEUS_STATUS_MAP;

const STATUSES = Object.keys(ALERTMANAGER_STATUS_MAP) as [keyof typeof ALERTMANAGER_STATUS_MAP, ...(keyof typeof ALERTMANAGER_STATUS_MAP)[]];

/**
 * Alertmanager `webhook_config` body, payload version "4"
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). Loose objects:
 * Alertmanager adds fields over time (`truncatedAlerts` came later), and they must not break us.
 */
const alertSchema = z.looseObject({
  status: z.enum(STATUSES),
  labels: stringMap,
  annotations: stringMap.nullish(),
  startsAt: optionalString,
  endsAt: optionalString,
  generatorURL: optionalString,
  fingerprint: optionalString,
});

const bodySchema = z.looseObject(
  {
    version: optionalString,
    groupKey: optionalString,
    status: optionalString,
    receiver: optionalString,
    externalURL: optionalString,
    alerts: z.array(alertSchema).min(1, 'expected at least one alert'),
  },
  { error: 'expected a JSON object' },
);

export const alertmanagerParser: SourceParser = {
  type: 'alertmanager',
  parse(body: unknown): NormalizedEvent[] {
    const payload = parseWith(bodySchema, body);
    return payload.alerts.map((alert) =>
      mapPrometheusAlert(alert, {
        severity: ALERTMANAGER_SEVERITY_MAP,
        defaultSeverity: ALERTMANAGER_DEFAULT_SEVERITY,
        status: ALERTMANAGER_STATUS_MAP,
        fallbackTitle: 'Alertmanager alert',
      }),
    );
  },
};
