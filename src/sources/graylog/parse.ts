import { z } from 'zod';
import type { NormalizedEvent, Severity } from '../../core/types.js';
import { clean, toLabels } from '../labels.js';
import type { SourceParser } from '../types.js';
import { parseWith } from '../validate.js';

/**
 * `event.priority` → severity. Graylog 3.1–6.1 offer 1 Low, 2 Normal, 3 High; 6.2 renamed Normal
 * to Medium and added 4 Critical; later versions add 0 Info. Unknown or missing → `warning`.
 */
export const GRAYLOG_SEVERITY_MAP: Readonly<Record<string, Severity>> = {
  '4': 'critical',
  '3': 'critical',
  '2': 'warning',
  '1': 'info',
  '0': 'info',
};
export const GRAYLOG_DEFAULT_SEVERITY: Severity = 'warning';

/**
 * Graylog events have no recovery: a notification is only ever sent when an event definition
 * fires, so every notification is a trigger, whether or not the event is flagged as an alert.
 */
export const GRAYLOG_STATUS_MAP = {
  alert: 'trigger',
  event: 'trigger',
} as const satisfies Record<string, NormalizedEvent['eventType']>;

/** Graylog fills the definition fields with this when the event definition no longer exists. */
const UNKNOWN = '<unknown>';

const optionalString = z.string().nullish();

/**
 * Graylog's HTTP notification body (`EventNotificationModelData`, the same shape in 4.x and 5.x;
 * 5.x adds `group_by_fields`, `replay_info`, 6.x `remediation_steps`, `scores`, …). Loose objects
 * so added fields never break ingestion.
 */
const eventSchema = z.looseObject(
  {
    id: optionalString,
    event_definition_type: optionalString,
    event_definition_id: optionalString,
    timestamp: z.union([z.string(), z.number()]).nullish(),
    streams: z.array(z.string()).nullish(),
    message: optionalString,
    source: optionalString,
    key_tuple: z.array(z.unknown()).nullish(),
    key: optionalString,
    priority: z.union([z.number(), z.string()]).nullish(),
    alert: z.boolean().nullish(),
    fields: z.record(z.string(), z.unknown()).nullish(),
    group_by_fields: z.record(z.string(), z.unknown()).nullish(),
  },
  { error: 'expected an object' },
);

const bodySchema = z.looseObject(
  {
    event_definition_id: z.string().min(1, 'expected a non-empty string'),
    event_definition_type: optionalString,
    event_definition_title: optionalString,
    event_definition_description: optionalString,
    job_definition_id: optionalString,
    job_trigger_id: optionalString,
    event: eventSchema,
    backlog: z.array(z.unknown()).nullish(),
  },
  { error: 'expected a JSON object' },
);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i;
/** Elasticsearch/OpenSearch storage format, always UTC. */
const ES_UTC = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/** `2019-07-01T12:00:00.000Z` (what Graylog serialises), `2019-07-01 12:00:00.000` (UTC) or epoch ms. */
export function graylogTime(v: string | number | null | undefined): Date | undefined {
  let d: Date | undefined;
  if (typeof v === 'number') {
    d = new Date(v);
  } else if (typeof v === 'string') {
    const s = v.trim();
    const m = ES_UTC.exec(s);
    if (m) {
      const [y, mo, day, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
      d = new Date(Date.UTC(y, mo - 1, day, h, mi, sec, Number((m[7] ?? '0').padEnd(3, '0'))));
      // Date.UTC rolls 2019-13-45 over into a later valid date; refuse instead.
      if (d.getUTCFullYear() !== y || d.getUTCMonth() !== mo - 1 || d.getUTCDate() !== day || d.getUTCHours() !== h || d.getUTCMinutes() !== mi || d.getUTCSeconds() !== sec) {
        d = undefined;
      }
    } else if (ISO.test(s)) {
      d = new Date(s);
    }
  }
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

function known(s: string | null | undefined): string | undefined {
  const c = clean(s);
  return c === UNKNOWN ? undefined : c;
}

export const graylogParser: SourceParser = {
  type: 'graylog',
  parse(body: unknown): NormalizedEvent[] {
    const n = parseWith(bodySchema, body);
    const event = n.event;
    const definitionId = known(n.event_definition_id) ?? clean(event.event_definition_id) ?? n.event_definition_id;
    const priority = event.priority === null || event.priority === undefined ? undefined : String(event.priority).trim();
    const message = clean(event.message, 20000);
    const definitionDescription = known(n.event_definition_description);
    const streams = (event.streams ?? []).filter((s) => s.trim() !== '');
    return [
      {
        eventType: GRAYLOG_STATUS_MAP[event.alert === false ? 'event' : 'alert'],
        dedupKey: `${definitionId}:${event.key ?? ''}`,
        title: clean(known(n.event_definition_title), 1000) ?? clean(message, 1000) ?? 'Graylog event',
        severity:
          (priority !== undefined && Object.hasOwn(GRAYLOG_SEVERITY_MAP, priority) ? GRAYLOG_SEVERITY_MAP[priority] : undefined) ??
          GRAYLOG_DEFAULT_SEVERITY,
        description: clean([definitionDescription, message].filter(Boolean).join('\n\n'), 20000),
        host: clean(event.source),
        // A field of the event wins over a grouping field or the stream list of the same name.
        labels: toLabels({
          ...(streams.length ? { stream: streams.join(',') } : {}),
          ...(event.group_by_fields ?? {}),
          ...(event.fields ?? {}),
        }),
        links: [],
        occurredAt: graylogTime(event.timestamp),
      },
    ];
  },
};
