import type { HeartbeatConfig } from '../config/schema.js';
import { parseConfigDuration } from './duration.js';
import { localTime } from './time-window.js';
import type { Label, Severity } from './types.js';

/** A configured heartbeat, durations in milliseconds, its team resolved. */
export interface HeartbeatSpec {
  name: string;
  team: string;
  integration?: string;
  labels: Label[];
  intervalMs: number;
  graceMs: number;
  severity: Severity;
  enabled: boolean;
}

export function heartbeatSpecs(cfg: { heartbeats: HeartbeatConfig[]; integrations: Array<{ name: string; team: string }> }): HeartbeatSpec[] {
  return cfg.heartbeats.map((h) => ({
    name: h.name,
    team: h.team ?? cfg.integrations.find((i) => i.name === h.integration)?.team ?? '',
    integration: h.integration,
    labels: Object.entries(h.labels).map(([name, value]) => ({ name, value })),
    intervalMs: parseConfigDuration(h.interval)!,
    graceMs: parseConfigDuration(h.grace)!,
    severity: h.severity,
    enabled: h.enabled,
  }));
}

/** The dedup key of a heartbeat's alert, within the synthetic `heartbeats` integration. */
export const heartbeatDedupKey = (name: string): string => `heartbeat:${name}`;

/** `2026-11-27 09:00` in the zone: alert titles are stored, so they carry the date. */
export function wallTime(at: Date, timeZone: string): string {
  const t = localTime(at, timeZone);
  const hh = String(Math.floor(t.minutes / 60)).padStart(2, '0');
  const mm = String(t.minutes % 60).padStart(2, '0');
  return `${t.date} ${hh}:${mm}`;
}

export function missedTitle(name: string, since: Date, timeZone: string, locale: 'zh' | 'en'): string {
  const at = wallTime(since, timeZone);
  return locale === 'en' ? `No heartbeat from ${name} since ${at}` : `心跳丢失：自 ${at} 起未收到 ${name} 的心跳`;
}

/**
 * When a heartbeat may fire after dutybot (re)starts. No ping could arrive while we were down,
 * so it gets one full interval from the start, but a due time already stored later than that stands:
 * a restart neither brings a check forward nor loses one.
 */
export function dueAfterStart(storedDue: Date | undefined, startedAt: Date, intervalMs: number): Date {
  const floor = startedAt.getTime() + intervalMs;
  return new Date(Math.max(storedDue?.getTime() ?? 0, floor));
}
