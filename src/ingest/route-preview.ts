import type { Directory } from '../config/directory.js';
import type { ChannelRef, Integration } from '../config/schema.js';
import type { Dispatcher, RuleVerdict } from '../core/routing.js';
import type { NormalizedEvent, SourceType } from '../core/types.js';
import { alertChannels, channelId } from '../bot/channels.js';
import { apiParser } from '../sources/api/parse.js';
import { parsers } from '../sources/registry.js';

/**
 * "Where would this go?": what `POST /api/v1/routes/test` and `dutybot routes test` answer. It
 * parses a payload exactly as ingestion does and routes each event as if it opened an alert at
 * `at`; nothing is stored or sent.
 */
export interface RoutePreview {
  eventType: NormalizedEvent['eventType'];
  dedupKey: string;
  title: string;
  severity: NormalizedEvent['severity'];
  host?: string;
  /** Rules that matched, in order; empty when the integration's team was used. */
  matchedRules: string[];
  fallback: boolean;
  /** The alert's team (the first routed team) and every routed team. */
  team: string;
  teams: string[];
  /** The policy the alert would escalate by, and where it came from. */
  escalationPolicy: string | null;
  escalationPolicyFrom: 'route' | 'team' | null;
  /** Every channel its card would go to (robot URLs with their tokens masked). */
  channels: Array<{ platform: ChannelRef['platform']; channel: string }>;
  /** Every rule, in order, with why it did or did not match. */
  rules: RuleVerdict[];
}

/** A payload in the integration's own format, or one event in dutybot's REST format (eventType and dedupKey optional). */
export type PreviewInput = { payload: unknown } | { event: Record<string, unknown> };

/** Throws PayloadError (→ 400) for a payload the integration's parser refuses. */
export function previewRouting(dir: Directory, dispatcher: Dispatcher, integration: Integration, input: PreviewInput, at: Date): RoutePreview[] {
  const events =
    'payload' in input
      ? parsers[integration.type as SourceType].parse(input.payload)
      : apiParser.parse({ eventType: 'trigger', dedupKey: 'routes-test', ...input.event });
  const arrival = { integration: integration.name, source: integration.type as SourceType, application: integration.application, team: integration.team };
  return events.map((e) => {
    const r = dispatcher.route(arrival, e, at, { explain: true });
    const team = r.route.teams[0]!;
    const teamPolicy = dir.team(team)?.escalationPolicy;
    return {
      eventType: e.eventType,
      dedupKey: e.dedupKey,
      title: e.title,
      severity: e.severity,
      ...(e.host ? { host: e.host } : {}),
      matchedRules: r.route.rules,
      fallback: r.fallback,
      team,
      teams: r.route.teams,
      escalationPolicy: r.route.escalationPolicy ?? teamPolicy ?? null,
      escalationPolicyFrom: r.route.escalationPolicy ? 'route' : teamPolicy ? 'team' : null,
      channels: alertChannels(dir, { team, route: r.route }).map((c) => ({ platform: c.platform, channel: maskedChannel(c) })),
      rules: r.rules,
    };
  });
}

/** Robot webhook URLs carry their token in the query: show where, never the secret. */
function maskedChannel(c: ChannelRef): string {
  const id = channelId(c);
  if (!('url' in c)) return id;
  try {
    const u = new URL(id);
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, '…');
    return decodeURI(u.toString());
  } catch {
    return `${c.platform} robot`;
  }
}
