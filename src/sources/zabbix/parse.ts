import { z } from 'zod';
import type { Link, NormalizedEvent, Severity } from '../../core/types.js';
import { clean, labelValue, safeLinks, toLabels } from '../labels.js';
import type { SourceParser } from '../types.js';
import { parseWith } from '../validate.js';

/**
 * `trigger_severity` ({EVENT.NSEVERITY}: 0 Not classified, 1 Information, 2 Warning, 3 Average,
 * 4 High, 5 Disaster) or, failing that, `severity_name` ({EVENT.SEVERITY}, lower-cased) → severity.
 * Severity names can be renamed in Zabbix, so the number is preferred; unknown → `warning`.
 */
export const ZABBIX_SEVERITY_MAP: Readonly<Record<string, Severity>> = {
  '5': 'critical',
  '4': 'critical',
  '3': 'warning',
  '2': 'warning',
  '1': 'info',
  '0': 'info',
  disaster: 'critical',
  high: 'critical',
  average: 'warning',
  warning: 'warning',
  information: 'info',
  info: 'info',
  'not classified': 'info',
};
export const ZABBIX_DEFAULT_SEVERITY: Severity = 'warning';

/**
 * `event_value` ({EVENT.VALUE}) → event type. A problem update (`event_update_status` 1:
 * acknowledged, commented, severity changed) still has value 1 and stays a trigger.
 */
export const ZABBIX_STATUS_MAP = {
  '1': 'trigger',
  '0': 'resolve',
} as const satisfies Record<string, NormalizedEvent['eventType']>;

const STATUSES = Object.keys(ZABBIX_STATUS_MAP) as [keyof typeof ZABBIX_STATUS_MAP, ...(keyof typeof ZABBIX_STATUS_MAP)[]];

/**
 * A macro Zabbix could not resolve is sent as written (`{EVENT.RECOVERY.TIMESTAMP}` in a problem
 * notification, `{$ZABBIX.URL}` when the global macro is not set) or as `*UNKNOWN*`.
 */
const UNRESOLVED = /^(?:(?:\{[^{}\s]+\}|\*UNKNOWN\*)\s*)+$/;

/** Webhook parameters are strings; numbers are accepted for hand-made senders. */
const param = z.union([z.string(), z.number()]).nullish();

function value(v: string | number | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s && !UNRESOLVED.test(s) ? s : undefined;
}

const tagSchema = z.looseObject({
  tag: z.string(),
  value: z.union([z.string(), z.number()]).nullish(),
});

/** {EVENT.TAGSJSON} is text in Zabbix; the media type script sends it parsed, but text is accepted too. */
const tagsSchema = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    if (value(v) === undefined) return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  },
  z.array(tagSchema, { error: 'expected a JSON array of {tag, value} objects ({EVENT.TAGSJSON})' }).nullish(),
);

const idSchema = (what: string) =>
  z
    .union([z.string(), z.number()], { error: `expected ${what}` })
    .transform((v) => String(v).trim())
    .pipe(z.string().regex(/^\d+$/, `expected ${what}`));

/** The JSON that the media type script in docs/zabbix-media-type.md posts: one key per parameter. */
const bodySchema = z.looseObject(
  {
    event_id: idSchema('the numeric event id ({EVENT.ID})'),
    event_value: z
      .union([z.string(), z.number()], { error: 'expected 1 (problem) or 0 (recovery) ({EVENT.VALUE})' })
      .transform((v) => String(v).trim())
      .pipe(z.enum(STATUSES, { error: 'expected 1 (problem) or 0 (recovery) ({EVENT.VALUE})' })),
    event_update_status: param,
    trigger_id: param,
    trigger_name: param,
    subject: param,
    trigger_severity: param,
    severity_name: param,
    host_name: param,
    host_ip: param,
    host_groups: param,
    event_tags: tagsSchema,
    message: param,
    event_time: param,
    event_timestamp: param,
    recovery_time: param,
    recovery_timestamp: param,
    trigger_url: param,
    zabbix_url: param,
  },
  { error: 'expected a JSON object' },
);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * {EVENT.TIMESTAMP} (UNIX seconds) is exact. {EVENT.DATE} {EVENT.TIME} ("2024.05.01 12:57:53")
 * carries no time zone, so it is only used when a sender made it ISO 8601 with an offset;
 * otherwise the receive time stands in (webhooks are sent within seconds).
 */
export function zabbixTime(timestamp: string | undefined, dateTime: string | undefined): Date | undefined {
  let d: Date | undefined;
  if (timestamp && /^\d{1,12}$/.test(timestamp) && Number(timestamp) > 0) d = new Date(Number(timestamp) * 1000);
  else if (dateTime && ISO.test(dateTime)) d = new Date(dateTime);
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

function severityOf(...candidates: Array<string | undefined>): Severity {
  for (const c of candidates) {
    const key = c?.toLowerCase();
    if (key !== undefined && Object.hasOwn(ZABBIX_SEVERITY_MAP, key)) return ZABBIX_SEVERITY_MAP[key]!;
  }
  return ZABBIX_DEFAULT_SEVERITY;
}

/** Zabbix allows one tag name several times (`service:db`, `service:web`): the values are joined. */
function tagRecord(tags: ReadonlyArray<{ tag: string; value?: string | number | null }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    const name = t.tag.trim();
    const v = t.value === null || t.value === undefined ? '' : String(t.value).trim();
    if (!name) continue;
    const prev = Object.hasOwn(out, name) ? out[name] : undefined;
    out[name] = prev && v && prev !== v ? `${prev}, ${v}` : prev || v;
  }
  return out;
}

export const zabbixParser: SourceParser = {
  type: 'zabbix',
  parse(body: unknown): NormalizedEvent[] {
    const p = parseWith(bodySchema, body);
    const eventType = ZABBIX_STATUS_MAP[p.event_value];
    const hostGroups = value(p.host_groups);
    // A tag of the event wins over the host group list if it is itself called "hostgroup".
    const labels = toLabels({ ...(hostGroups ? { hostgroup: hostGroups } : {}), ...tagRecord(p.event_tags ?? []) });

    const zabbixUrl = value(p.zabbix_url)?.replace(/\/+$/, '');
    const triggerId = value(p.trigger_id);
    const links: Link[] = [];
    if (zabbixUrl && triggerId && /^\d+$/.test(triggerId)) {
      links.push({ text: 'Zabbix event', href: `${zabbixUrl}/tr_events.php?triggerid=${triggerId}&eventid=${p.event_id}` });
    }
    const triggerUrl = value(p.trigger_url);
    if (triggerUrl) links.push({ text: 'Trigger URL', href: triggerUrl });

    return [
      {
        eventType,
        // For a recovery, {EVENT.ID} is still the original problem's id ({EVENT.RECOVERY.ID} is the
        // recovery event's), so problem, updates and recovery share one key.
        dedupKey: p.event_id,
        title: clean(value(p.trigger_name), 1000) ?? clean(value(p.subject), 1000) ?? `Zabbix event ${p.event_id}`,
        severity: severityOf(value(p.trigger_severity), value(p.severity_name)),
        description: clean(value(p.message), 20000),
        host: clean(value(p.host_name) ?? value(p.host_ip)),
        service: clean(labelValue(labels, 'service')),
        labels,
        links: safeLinks(links),
        occurredAt:
          eventType === 'resolve'
            ? zabbixTime(value(p.recovery_timestamp), value(p.recovery_time))
            : zabbixTime(value(p.event_timestamp), value(p.event_time)),
      },
    ];
  },
};
