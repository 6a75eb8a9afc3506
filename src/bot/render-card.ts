import { MUTE_CHOICES } from './durations.js';
import type { Alert } from '../core/alert.js';
import { allowedActions } from '../core/lifecycle.js';
import { progress } from '../core/escalation.js';
import type { AlertState, Label, Link, Severity } from '../core/types.js';
import type { AlertCard, CardAction, CardActionId, CardField, CardMention, Locale, SummaryCard } from './card.js';
import { texts, type Texts } from './i18n.js';
import { showsBoth } from '../core/source-times.js';
import { renderRuns, type CardRemediationAction } from './render-runs.js';

/**
 * Alert → platform-neutral card, pure: no I/O, no clock (`now` comes in), never throws on odd
 * data (empty labels, missing host, huge titles, control characters, invalid dates).
 */
export interface CardContext {
  locale: Locale;
  /** Decides whether a mute is still on, and whether a time needs its date. */
  now: Date;
  /** IANA zone for absolute times (`Asia/Shanghai`); an unknown zone falls back to UTC. */
  timeZone: string;
  teamName: string;
  /** Members who can be picked for reassign: {id, name}. */
  members: Array<{ id: string; name: string }>;
  /** Overrides `alert.mutedUntil` when given. */
  mutedUntil?: Date;
  /** The people the alert concerns now (its owner), to @-mention. */
  mentions?: CardMention[];
  /** Remediation actions (`actions:`) the alert matches: a button each (src/bot/render-runs.ts). */
  remediation?: CardRemediationAction[];
}


export const TITLE_MAX = 150;
export const TEXT_MAX = 1000;
const MAX_LABELS = 6;
const MAX_LINKS = 5;
/** Slack caps a select at 100 options. */
const MAX_MEMBER_OPTIONS = 100;
const SUMMARY_LINES = 10;
const SUMMARY_TITLE_MAX = 80;
const SUMMARY_HOSTS_SHOWN = 5;

const STYLE: Record<Severity, { emoji: string; colour: string }> = {
  critical: { emoji: '🔴', colour: '#d93025' },
  warning: { emoji: '🟠', colour: '#f29900' },
  info: { emoji: '🔵', colour: '#1a73e8' },
};
const RESOLVED = { emoji: '✅', colour: '#188038' };
const MUTED_EMOJI = '🔕';

/** Labels worth showing first, in this order; the rest follow sorted by name. */
const PREFERRED_LABELS = ['alertname', 'severity', 'env', 'environment', 'namespace', 'instance', 'job', 'service', 'cluster', 'hostgroup'];

const ACTION_ORDER: readonly CardActionId[] = ['claim', 'resolve', 'escalate', 'reassign'];

// ---------------------------------------------------------------------------------------------
// Text hygiene

// Control characters, bidi overrides/isolates and zero-width characters; lone surrogates.
// eslint-disable-next-line no-control-regex
const JUNK = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** One clean line of at most `max` code points, ending in `…` when cut. */
export function clip(value: unknown, max: number): string {
  let s = typeof value === 'string' ? value : value == null ? '' : String(value);
  // Bound the work on huge inputs before the regexes; a cut here always shows as `…`.
  const huge = s.length > max * 4 + 64;
  if (huge) s = s.slice(0, max * 4 + 64);
  s = s.replace(JUNK, ' ').replace(LONE_SURROGATE, '').replace(/\s+/g, ' ').trim();
  const points = Array.from(s);
  if (points.length <= max && !huge) return s;
  return `${points.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

// ---------------------------------------------------------------------------------------------
// Time

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  const build = (zone: string): Intl.DateTimeFormat =>
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
  let f: Intl.DateTimeFormat;
  try {
    f = build(timeZone);
  } catch {
    f = build('UTC'); // an unknown zone (RangeError) reads UTC rather than failing the card
  }
  if (formatters.size > 64) formatters.clear();
  formatters.set(timeZone, f);
  return f;
}

function toDate(value: unknown): Date | undefined {
  if (value == null) return undefined;
  const d = value instanceof Date ? value : new Date(value as string | number);
  return Number.isFinite(d.getTime()) ? d : undefined;
}

const epoch = (value: unknown): number => toDate(value)?.getTime() ?? 0;

function wallClock(d: Date, timeZone: string): { date: string; year: string; monthDay: string; time: string } {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(d)) parts[p.type] = p.value;
  const year = parts.year ?? '';
  const monthDay = `${parts.month ?? ''}-${parts.day ?? ''}`;
  return { date: `${year}-${monthDay}`, year, monthDay, time: `${parts.hour ?? ''}:${parts.minute ?? ''}` };
}

/**
 * `09:41` in the team's zone; `11-28 09:41` when not today, `2025-11-28 09:41` when not this
 * year (a 24 h mute or an old alert would otherwise read as today). `''` for a missing date.
 */
export function formatTime(value: Date | undefined, ctx: Pick<CardContext, 'now' | 'timeZone'>): string {
  const d = toDate(value);
  if (!d) return '';
  const at = wallClock(d, ctx.timeZone);
  const now = toDate(ctx.now);
  if (!now) return at.time;
  const today = wallClock(now, ctx.timeZone);
  if (at.date === today.date) return at.time;
  if (at.year === today.year) return `${at.monthDay} ${at.time}`;
  return `${at.date} ${at.time}`;
}

// ---------------------------------------------------------------------------------------------
// Pieces

function styleOf(alert: Pick<Alert, 'state' | 'severity'>): { emoji: string; colour: string } {
  if (alert.state === 'resolved') return RESOLVED;
  return STYLE[alert.severity] ?? STYLE.info;
}

function isMuted(state: AlertState, nowValue: Date, mutedUntil: Date | undefined): boolean {
  if (state === 'resolved') return false;
  const until = toDate(mutedUntil);
  if (!until) return false;
  const now = toDate(nowValue);
  return !now || until.getTime() > now.getTime();
}

function statusLine(alert: Alert, t: Texts, ctx: CardContext, mutedUntil: Date | undefined): string {
  const parts: string[] = [t.state[alert.state] ?? clip(alert.state, 20)];
  if (alert.state === 'acknowledged') {
    const name = clip(alert.owner?.name, 60);
    if (name) parts.push(name);
    const at = formatTime(alert.owner?.at ?? alert.claimedAt, ctx);
    if (at) parts.push(at);
  } else if (alert.state === 'resolved') {
    const name = clip(alert.resolvedBy?.name, 60);
    if (name) parts.push(name);
    const at = formatTime(alert.resolvedAt, ctx);
    if (at) parts.push(at);
  } else if (Number.isFinite(alert.count) && alert.count > 1) {
    parts.push(t.repeated(alert.count));
  }
  const esc = escalationText(alert, t, ctx);
  if (esc) parts.push(esc);
  const ack = ackTimeoutText(alert, t, ctx);
  if (ack) parts.push(ack);
  if (mutedUntil) parts.push(`${MUTED_EMOJI} ${t.mutedUntil(formatTime(mutedUntil, ctx))}`);
  if (alert.maintenance && alert.state !== 'resolved') parts.push(t.inMaintenance(formatTime(alert.maintenance.until, ctx)));
  return parts.join(' · ');
}

/** Why a card is triggered again (its claim timed out), or when a claimed one will be. */
function ackTimeoutText(alert: Alert, t: Texts, ctx: CardContext): string {
  const esc = alert.escalation;
  if (!esc || typeof esc !== 'object') return '';
  const timedOut = esc.timedOutClaim;
  if (alert.state === 'triggered' && timedOut) return t.ackTimedOut(timedOut.minutes, clip(timedOut.ownerName, 60));
  if (alert.state === 'acknowledged' && esc.ack && alert.owner && esc.ack.key === toDate(alert.owner.at)?.toISOString()) {
    const left = esc.ack.pausedRemainingMs;
    if (typeof left === 'number' && Number.isFinite(left)) return t.ackPaused(t.waitFor(left));
    const at = formatTime(esc.ack.dueAt, ctx);
    return at ? t.ackDue(at) : '';
  }
  return '';
}

/** `升级 第 2/3 级，4 分钟后下一级` while the alert is triggered and has an escalation plan. */
function escalationText(alert: Alert, t: Texts, ctx: CardContext): string {
  const now = toDate(ctx.now);
  if (!now || !alert.escalation || typeof alert.escalation !== 'object') return '';
  let p: ReturnType<typeof progress>;
  try {
    p = progress(alert.escalation, alert, now);
  } catch {
    return ''; // odd stored data never breaks a card
  }
  if (!p) return '';
  const paused = alert.escalation.pausedRemainingMs !== undefined;
  return t.escalation(p.level, p.of, p.nextInMs !== undefined ? t.waitFor(p.nextInMs) : undefined, paused);
}

function fieldsOf(alert: Alert, t: Texts, ctx: CardContext): CardField[] {
  const fields: CardField[] = [];
  const origin = clip(alert.integration, 100) || clip(alert.source, 40);
  const app = clip(alert.application, 100);
  if (origin && app && app !== origin) {
    fields.push({ label: `${t.field.source} · ${t.field.application}`, value: `${origin} · ${app}` });
  } else if (origin || app) {
    fields.push({ label: t.field.source, value: origin || app });
  }
  const times = sourceTimesText(alert, t, ctx);
  if (times) fields.push({ label: t.field.times, value: times });
  const team = clip(ctx.teamName, 100) || clip(alert.team, 100);
  if (team) fields.push({ label: t.field.team, value: team });
  // Round-robin's pick, until someone claims (then the owner is what counts).
  const assignee = alert.state === 'triggered' ? clip(alert.assignee?.name, 60) : '';
  if (assignee) fields.push({ label: t.field.assignee, value: t.roundRobin(assignee) });
  const host = clip(alert.host, 100);
  if (host) fields.push({ label: t.field.host, value: host });
  const service = clip(alert.service, 100);
  if (service) fields.push({ label: t.field.service, value: service });
  if (Number.isFinite(alert.count) && alert.count > 1) fields.push({ label: t.field.count, value: String(alert.count) });
  const lastSeen = formatTime(alert.lastSeenAt, ctx);
  if (lastSeen) fields.push({ label: t.field.lastSeen, value: lastSeen });
  if (Number.isFinite(alert.escalationLevel) && alert.escalationLevel > 0 && !alert.escalation) {
    fields.push({ label: t.field.escalationLevel, value: String(alert.escalationLevel) });
  }
  return fields;
}

/** `started 14:02 (received 14:05)` when the source's start and our receipt differ by over a minute, else ''. */
export function sourceTimesText(alert: Pick<Alert, 'sourceStartedAt' | 'firstSeenAt'>, t: Texts, ctx: Pick<CardContext, 'now' | 'timeZone'>): string {
  const started = toDate(alert.sourceStartedAt);
  const received = toDate(alert.firstSeenAt);
  if (!showsBoth(started, received)) return '';
  return t.sourceTimes(formatTime(started, ctx), formatTime(received, ctx));
}

/**
 * At most six labels: the well-known ones in PREFERRED_LABELS order, then the rest by name.
 * Skips empty ones, repeated names, and values that only repeat the host or the service.
 */
export function pickLabels(labels: readonly Label[] | undefined, host?: string, service?: string): Label[] {
  const seen = new Set<string>();
  const repeats = new Set([clip(host, 100).toLowerCase(), clip(service, 100).toLowerCase()].filter(Boolean));
  const clean: Label[] = [];
  for (const l of Array.isArray(labels) ? labels : []) {
    if (!l || typeof l !== 'object') continue;
    const name = clip(l.name, 64);
    const value = clip(l.value, 100);
    if (!name || !value || seen.has(name)) continue;
    seen.add(name);
    if (repeats.has(value.toLowerCase())) continue;
    clean.push({ name, value });
  }
  const rank = (l: Label): number => {
    const i = PREFERRED_LABELS.indexOf(l.name.toLowerCase());
    return i === -1 ? PREFERRED_LABELS.length : i;
  };
  return clean
    .sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, MAX_LABELS);
}

/** Up to five links with an http(s) address (a chat platform refuses a whole card over one bad URL). */
function pickLinks(links: readonly Link[] | undefined): Link[] {
  const out: Link[] = [];
  for (const l of Array.isArray(links) ? links : []) {
    if (out.length >= MAX_LINKS) break;
    if (!l || typeof l !== 'object') continue;
    const href = typeof l.href === 'string' ? l.href.trim() : '';
    if (!/^https?:\/\/[^\s\u0000-\u001f]+$/i.test(href) || href.length > 3000) continue;
    out.push({ text: clip(l.text, 75) || clip(href, 75), href });
  }
  return out;
}

function actionsOf(alert: Alert, t: Texts, ctx: CardContext, muted: boolean): CardAction[] {
  const allowed: readonly string[] = allowedActions(alert.state) ?? [];
  const actions: CardAction[] = [];
  for (const id of ACTION_ORDER) {
    if (!allowed.includes(id)) continue;
    if (id === 'reassign') {
      const ownerId = alert.owner?.memberId;
      const options = (Array.isArray(ctx.members) ? ctx.members : [])
        .filter((m) => m && typeof m.id === 'string' && m.id !== '' && m.id !== ownerId)
        .slice(0, MAX_MEMBER_OPTIONS)
        .map((m) => ({ value: m.id, label: clip(m.name, 75) || clip(m.id, 75) }));
      // A reassign with nobody to pick is a dead button.
      if (options.length) actions.push({ id, label: t.action.reassign, options });
      continue;
    }
    actions.push(id === 'claim' ? { id, label: t.action.claim, style: 'primary' } : { id, label: t.action[id] });
  }
  if (alert.state !== 'resolved') {
    if (muted) actions.push({ id: 'unmute', label: t.action.unmute });
    else {
      actions.push({
        id: 'mute',
        label: t.action.mute,
        options: MUTE_CHOICES.map((ms) => ({ value: String(ms), label: t.duration(ms) })),
      });
    }
  }
  const snooze = snoozeAction(alert, t);
  if (snooze) actions.push(snooze);
  return actions;
}

/** The snooze choices on a claimed card whose claim has an ack timeout (those within `snoozeMax`). */
const SNOOZE_CHOICES = [30 * 60e3, 3600e3, 2 * 3600e3] as const;
function snoozeAction(alert: Alert, t: Texts): CardAction | null {
  const esc = alert.escalation;
  if (alert.state !== 'acknowledged' || !esc || typeof esc !== 'object' || !esc.ack || !alert.owner) return null;
  if (esc.ack.key !== toDate(alert.owner.at)?.toISOString()) return null;
  const max = esc.policy?.snoozeMaxMs ?? Infinity;
  const options = SNOOZE_CHOICES.filter((ms) => ms <= max).map((ms) => ({ value: String(ms), label: t.duration(ms) }));
  return options.length ? { id: 'snooze', label: t.action.snooze, options } : null;
}

function commandHintOf(actions: readonly CardAction[], t: Texts, shortId: string, extra: readonly string[] = []): string {
  if (!actions.length && !extra.length) return '';
  const commands = actions.map((a) => {
    const base = `${t.command[a.id]} ${shortId}`;
    if (a.id === 'resolve') return `${base} ${t.arg.note}`;
    if (a.id === 'reassign') return `${base} ${t.arg.member}`;
    if (a.id === 'mute') return `${base} ${t.arg.duration}`;
    if (a.id === 'snooze') return `${base} 30m`;
    return base;
  });
  return t.commandHint([...commands, ...extra]);
}

/** Lines in order; optional lines that would push the text over `max` are left out, the hint stays. */
function fitText(head: string[], optional: string[], tail: string, max: number): string {
  const required = [...head, tail].filter(Boolean);
  let budget = max - required.reduce((n, l) => n + l.length + 1, 0) + 1;
  const kept: string[] = [];
  for (const line of optional) {
    if (!line) continue;
    if (line.length + 1 <= budget) {
      kept.push(line);
      budget -= line.length + 1;
    }
  }
  const text = [...head.filter(Boolean), ...kept, tail].filter(Boolean).join('\n');
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// ---------------------------------------------------------------------------------------------
// Cards

export function renderAlertCard(alert: Alert, ctx: CardContext): AlertCard {
  const t = texts(ctx.locale);
  const locale: Locale = ctx.locale === 'en' ? 'en' : 'zh';
  const shortId = Number.isFinite(alert.shortId) ? String(alert.shortId) : clip(alert.shortId, 20) || '?';
  const ref = `#${shortId}`;
  const mutedUntil = ctx.mutedUntil ?? alert.mutedUntil;
  const muted = isMuted(alert.state, ctx.now, mutedUntil);
  const style = styleOf(alert);

  const title = clip(alert.title, TITLE_MAX) || t.untitled;
  const heading = `${style.emoji}${muted ? ` ${MUTED_EMOJI}` : ''} ${ref} ${title}`;
  const status = statusLine(alert, t, ctx, muted ? mutedUntil : undefined);
  const fields = fieldsOf(alert, t, ctx);
  const labels = pickLabels(alert.labels, alert.host, alert.service);
  const links = pickLinks(alert.links);
  const actions = actionsOf(alert, t, ctx, muted);
  const runs = renderRuns(alert, Array.isArray(ctx.remediation) ? ctx.remediation : [], locale, (d) => formatTime(d, ctx));
  fields.push(...runs.fields);
  const commandHint = commandHintOf(actions, t, shortId, runs.hints);

  const optional = [
    ...fields.map((f) => `${f.label}${t.colon}${f.value}`),
    labels.length ? `${t.field.labels}${t.colon}${labels.map((l) => `${l.name}=${l.value}`).join(' · ')}` : '',
    ...links.map((l) => `${l.text}${t.colon}${l.href}`),
  ];
  const text = fitText([heading, status], optional, commandHint, TEXT_MAX);

  return {
    kind: 'alert',
    alertId: String(alert.id ?? ''),
    shortId: alert.shortId,
    ref,
    severity: alert.severity,
    state: alert.state,
    locale,
    colour: style.colour,
    heading,
    status,
    fields,
    labels,
    links,
    actions,
    mentions: alert.state === 'resolved' ? [] : (ctx.mentions ?? []),
    commandHint,
    text,
    ...(runs.runs.length ? { runs: runs.runs } : {}),
    ...(runs.result ? { runResult: runs.result } : {}),
    ...(assignmentOf(alert, t) ? { assignment: assignmentOf(alert, t) } : {}),
  };
}

/** `指派：张三（轮流）` while round-robin's pick has not been claimed; '' otherwise. */
function assignmentOf(alert: Alert, t: Texts): string {
  const name = alert.state === 'triggered' ? clip(alert.assignee?.name, 60) : '';
  return name ? `${t.field.assignee}${t.colon}${t.roundRobin(name)}` : '';
}

/**
 * Stands in for alerts that did not fit a channel's rate: `📦 +37 more for ops, 5 hosts`. With
 * `since` (channels that cannot edit, once a summary went out): `📦 +14 more since 09:41 for ops`.
 */
export function renderSummaryCard(alerts: Alert[], ctx: Omit<CardContext, 'members' | 'mutedUntil'>, since?: Date): SummaryCard {
  const t = texts(ctx.locale);
  const locale: Locale = ctx.locale === 'en' ? 'en' : 'zh';
  const list = (Array.isArray(alerts) ? alerts : []).filter((a): a is Alert => !!a && typeof a === 'object');
  const newest = [...list].sort(
    (a, b) => epoch(b.lastSeenAt) - epoch(a.lastSeenAt) || (Number(b.shortId) || 0) - (Number(a.shortId) || 0),
  );

  const hosts: string[] = [];
  const seen = new Set<string>();
  for (const a of newest) {
    const h = clip(a.host, 100);
    if (h && !seen.has(h)) {
      seen.add(h);
      hosts.push(h);
    }
  }

  const heading = since
    ? `📦 ${t.summary.moreSince(list.length, formatTime(since, ctx), clip(ctx.teamName, 100), hosts.length)}`
    : `📦 ${t.summary.moreAlerts(list.length, clip(ctx.teamName, 100), hosts.length)}`;
  const lines = newest.slice(0, SUMMARY_LINES).map((a) => {
    const id = Number.isFinite(a.shortId) ? String(a.shortId) : '?';
    return `${styleOf(a).emoji} #${id} ${clip(a.title, SUMMARY_TITLE_MAX) || t.untitled}`;
  });
  if (newest.length > SUMMARY_LINES) lines.push('…');
  lines.push(t.summary.hosts(hosts.length, hosts.slice(0, SUMMARY_HOSTS_SHOWN)));

  return { kind: 'summary', locale, heading, lines, text: [heading, ...lines].join('\n') };
}
