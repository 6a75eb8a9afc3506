import { z } from 'zod';
import type { NormalizedEvent } from '../../core/types.js';
import { SEVERITIES } from '../../core/types.js';
import { clean, safeLinks, toLabels } from '../labels.js';
import type { SourceParser } from '../types.js';
import { parseWith } from '../validate.js';

/**
 * dutybot's own REST API: `POST /api/v1/events` (documented in README.md). Only a trigger needs a
 * title: an acknowledge or a resolve names its alert by `dedupKey` alone, as in PagerDuty's events
 * API and as monitoring tools send their recoveries.
 */
const eventSchema = z
  .strictObject({
    eventType: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedupKey: z.string().min(1).max(255),
    title: z.string().min(1).max(1000).optional(),
    severity: z.enum(SEVERITIES as [string, ...string[]]).default('warning'),
    description: z.string().max(20000).optional(),
    host: z.string().max(255).optional(),
    service: z.string().max(255).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    links: z.array(z.strictObject({ text: z.string().max(200).default('link'), href: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }) })).max(20).optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.eventType === 'trigger' && e.title === undefined) ctx.addIssue({ code: 'custom', path: ['title'], message: 'required for trigger' });
  });

export const apiParser: SourceParser = {
  type: 'api',
  parse(body: unknown): NormalizedEvent[] {
    const e = parseWith(eventSchema, body);
    return [
      {
        eventType: e.eventType,
        dedupKey: e.dedupKey,
        // Not read for an acknowledge or a resolve (the open alert keeps its own title).
        title: clean(e.title, 1000) ?? e.dedupKey,
        severity: e.severity as NormalizedEvent['severity'],
        description: clean(e.description, 20000),
        host: clean(e.host),
        service: clean(e.service),
        labels: toLabels(e.labels),
        links: safeLinks(e.links ?? []),
        occurredAt: e.occurredAt ? new Date(e.occurredAt) : undefined,
      },
    ];
  },
};
