/**
 * The platform-neutral vocabulary of dutybot. Everything that crosses a boundary
 * (source parser → pipeline → store → chat) is one of these types.
 */

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export type SourceType = 'alertmanager' | 'zabbix' | 'graylog' | 'grafana' | 'api';
export const SOURCE_TYPES: readonly SourceType[] = ['alertmanager', 'zabbix', 'graylog', 'grafana', 'api'];

/** A label is a pair, never a document key: label names may contain `.` and `$` (see ../shared/FERRETDB.md). */
export interface Label {
  name: string;
  value: string;
}

export interface Link {
  text: string;
  href: string;
}

/**
 * What one monitoring tool says about one problem, after its parser has mapped its own
 * payload through declared maps. `trigger` opens or repeats, `resolve` is the source's recovery,
 * `acknowledge` is the source saying someone took it (only the REST API sends it).
 */
export interface NormalizedEvent {
  eventType: 'trigger' | 'acknowledge' | 'resolve';
  /** Identifies the problem within one integration; repeats with the same key are one alert. */
  dedupKey: string;
  title: string;
  severity: Severity;
  description?: string;
  host?: string;
  service?: string;
  labels: Label[];
  links: Link[];
  /** When the source says it happened; the receive time is used when absent. */
  occurredAt?: Date;
}

export type AlertState = 'triggered' | 'acknowledged' | 'resolved';

/** Who did something, through which way in. `member` is absent for the source itself. */
export interface Actor {
  kind: 'member' | 'source' | 'system';
  memberId?: string;
  /** Display name at the time of the action, so the timeline still reads well if config changes. */
  name: string;
  /** `rest`, `slack`, `dingtalk`, `wechat`, or the source type for source actions. */
  via: string;
  /** Channel id on that platform, when the action came from a chat channel. */
  channel?: string;
}

export interface Owner {
  /** Absent when the source itself acknowledged (REST `acknowledge` event). */
  memberId?: string;
  name: string;
  at: Date;
  via: string;
}

/** Transitions that people (or the source) ask for. */
export type AlertAction =
  | { kind: 'claim' }
  | { kind: 'resolve'; note?: string }
  | { kind: 'reassign'; to: { memberId: string; name: string }; reason?: string }
  | { kind: 'escalate'; reason?: string }
  | { kind: 'mute'; until: Date }
  | { kind: 'unmute' }
  /** System only (the ack timeout): back to triggered, if the claim made at `ownerAt` still stands. */
  | { kind: 'unclaim'; ownerAt: Date; reason: string };
