import type { ChannelRef } from '../config/schema.js';
import type { AlertEscalation } from './escalation.js';
import type { Actor, AlertState, Label, Link, Owner, Severity, SourceType } from './types.js';

/** An alert as the domain sees it (the store adds its own id type). */
export interface Alert {
  id: string;
  /** Human id: `#1234` in chat, `1234` in commands and REST. */
  shortId: number;
  integration: string;
  source: SourceType;
  application: string;
  team: string;
  dedupKey: string;
  state: AlertState;
  /** Incremented by every change; transitions compare-and-set on it. */
  version: number;
  title: string;
  severity: Severity;
  description?: string;
  host?: string;
  service?: string;
  labels: Label[];
  links: Link[];
  /** How many trigger events this alert has absorbed (1 when opened). */
  count: number;
  /** When dutybot received the first event (receipt time). */
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** When the source says the problem started (src/core/source-times.ts); receipt time when it did not say. */
  sourceStartedAt?: Date;
  /** When the source says it ended (its resolve event's time); `resolvedAt` is when we received it. */
  sourceEndedAt?: Date;
  /**
   * Set while the alert opened inside a maintenance window: it is stored and deduplicated but
   * posts no card and pages nobody (the escalation engine checks it) until the window ends.
   */
  maintenance?: AlertMaintenance;
  owner?: Owner;
  claimedAt?: Date;
  resolvedAt?: Date;
  resolvedBy?: Actor;
  escalationLevel: number;
  /** While set and in the future, the alert stays open but stops notifying and re-escalating. */
  mutedUntil?: Date;
  /**
   * Incremented by every change people can see on a card (state, owner, count, mute). Cards
   * record the `rev` they show; a card behind its alert's `rev` is re-rendered.
   */
  rev: number;
  /** Where dispatch sent it (src/core/routing.ts), decided once when the alert opens. */
  route?: AlertRoute;
  /** Teams whose channels escalation brought in (a level's `team` target with `chat`). */
  escalatedTeams?: string[];
  /** The escalation policy copied when the alert opened, and where it stands (src/core/escalation.ts). */
  escalation?: AlertEscalation;
  /** Written at the transition so analytics can `$sum` them (FerretDB has no `$avg`). */
  secondsToClaim?: number;
  /**
   * Receipt → resolve, as the state machine sees it. Analytics' time to resolve starts at the
   * source's start and ends at the source's end where given (`sourceDurations` in core/analytics.ts).
   */
  secondsToResolve?: number;
  /** Remediation actions (`actions:`): approvals waiting and the last run's result, shown on the card. */
  remediation?: AlertRemediation;
  /** Who round-robin named when it opened (`teams[].assign`): shown and @-mentioned; they still claim it. */
  assignee?: AlertAssignee;
}

export interface AlertAssignee {
  memberId: string;
  name: string;
  at: Date;
  how: 'round-robin';
}

/** What a card shows about remediation actions; rewritten whole, under the alert's lock. */
export interface AlertRemediation {
  /** Actions waiting for more approvals (`approval: 2`), one entry per action. */
  pending?: RemediationApproval[];
  /** The last run: who ran it, and what the receiver answered. */
  last?: RemediationResult;
}

export interface RemediationApproval {
  action: string;
  /** Approvals it needs in all. */
  needed: number;
  /** Who approved so far, in order (never the same member twice). */
  by: Array<{ memberId: string; name: string; at: Date }>;
}

export interface RemediationResult {
  action: string;
  at: Date;
  /** Who ran it (and approved it), by name. */
  by: string[];
  /** The HTTP status, when one came back. */
  status?: number;
  /** The first 200 characters of the answer's body, one line. */
  excerpt: string;
  /** Why there was no answer (`network: timeout`), or why the status is a failure. */
  error?: string;
}

export type TimelineKind =
  | 'opened'
  | 'received'
  | 'claimed'
  | 'resolved'
  | 'reassigned'
  | 'escalated'
  | 'muted'
  | 'unmuted'
  | 'reopened'
  /** A chat platform throttled or refused this alert's card (who, why, when it retries). */
  | 'delivery'
  /** A note added without a transition (an outgoing webhook's act-back `note`). */
  | 'note'
  /** Round-robin named someone (`assigned to 张三 (round-robin)`); the alert stays unclaimed. */
  | 'assigned';

export interface TimelineEntry {
  alertId: string;
  at: Date;
  kind: TimelineKind;
  actor: Actor;
  /** One human line: the note, the reason, or what was received. */
  text?: string;
  /** For events received from a source: the stored raw copy of the request. */
  rawEventId?: string;
}

/**
 * The outcome of dispatch, stored on the alert when it opens. `team` (the alert's own field) is
 * `teams[0]`; cards go to every team's channels plus `channels`.
 */
export interface AlertRoute {
  /** Names of the rules that matched, in order; `[]` when none did and the integration's team was used. */
  rules: string[];
  teams: string[];
  /** The escalation policy's id; absent means the first team's `escalationPolicy`, if any. */
  escalationPolicy?: string;
  channels: ChannelRef[];
}

/** The maintenance window an alert opened in (see src/jobs/maintenance.ts). */
export interface AlertMaintenance {
  /** A one-off window's id (`3`) or a recurring one's `cfg:<name>`. */
  windowId: string;
  /** When the window ends (for a recurring window, this occurrence's end). */
  until: Date;
  /**
   * Set when the alert was already open as the window began and is held by it (escalation and
   * ack timeout paused): when the hold began. Absent for an alert that opened inside the window.
   */
  since?: Date;
}
