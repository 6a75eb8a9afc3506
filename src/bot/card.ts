import type { ChatPlatform } from '../config/directory.js';
import type { AlertState, Label, Link, Severity } from '../core/types.js';

/**
 * The platform-neutral render model of one alert's card. Texts are already in the team's
 * language; an adapter only lays them out (Block Kit, DingTalk card params, WeChat text) and never
 * decides what an alert shows or which actions are allowed.
 */
export type Locale = 'zh' | 'en';

export type CardActionId = 'claim' | 'resolve' | 'escalate' | 'reassign' | 'mute' | 'unmute' | 'snooze';

export interface CardAction {
  id: CardActionId;
  /** Button text, e.g. "认领 Claim". */
  label: string;
  style?: 'primary' | 'danger';
  /** For reassign (members) and mute (durations): the choices, `value` is what comes back. */
  options?: Array<{ value: string; label: string }>;
}

/**
 * Someone the card concerns (its owner now; the people being escalated to later). Platforms
 * without edits or buttons @-mention them in their new messages, so the right phone buzzes; where
 * cards are edited, a message of its own does it (ChatAdapter.mention, src/bot/mention-delivery.ts).
 */
export type CardMention = {
  name: string;
  phone?: string | undefined;
} & {
  /** The person's id on each chat platform, from `members[]` (`slack`, `dingtalk`, …). */
  [P in ChatPlatform]?: string | undefined;
};

export interface CardField {
  label: string;
  value: string;
}

export interface AlertCard {
  kind: 'alert';
  alertId: string;
  shortId: number;
  /** `#12` */
  ref: string;
  severity: Severity;
  state: AlertState;
  locale: Locale;
  /** Severity colour as hex (`#d93025`), for platforms that colour a card edge. */
  colour: string;
  /** `🔴 #12 Disk almost full on web-1` */
  heading: string;
  /** `已认领 · 张三 · 09:41` */
  status: string;
  fields: CardField[];
  labels: Label[];
  links: Link[];
  /** Only the actions allowed in the current state. */
  actions: CardAction[];
  /** People to @-mention where a platform's messages can (DingTalk and WeCom robots, WeChat). */
  mentions: CardMention[];
  /** How to act by command, for platforms without buttons: `认领 12 · 关闭 12 [备注]`. */
  commandHint: string;
  /** The whole card as plain text: WeChat messages, notifications, fallbacks. */
  text: string;
  /** Remediation actions (`actions:`) this open alert matches: one button each (src/bot/render-runs.ts). */
  runs?: CardRun[];
  /** The last run's result (`▶️ Restart nginx · 张三 · HTTP 200`), also among `fields`; follow-ups repeat it. */
  runResult?: string;
  /** Round-robin's pick not claimed yet (`指派：张三（轮流）`), also among `fields`; follow-ups say it. */
  assignment?: string;
}

/** A remediation action's button: `run:<name>` comes back with the alert id. */
export interface CardRun {
  name: string;
  /** `重启 nginx（web-03）`, `Restart nginx on web-03`. */
  label: string;
  /** The command that does the same (`执行 restart-nginx 12`), for platforms without buttons. */
  command: string;
  /** `confirm: true`: the texts of the platform's confirmation dialog (Slack). */
  confirm?: { title: string; text: string; ok: string; cancel: string };
  /** `approval: n` (n > 1): the button asks for approvals. */
  approval?: number;
  style?: 'danger';
}

/**
 * Stands in for alerts that did not fit a channel's rate ("+37 more for ops, 5 hosts"). On
 * channels that cannot edit, also the later messages: "+14 more since 09:41" and follow-ups
 * ("#12 已认领 · 张三", several folded into one).
 */
export interface SummaryCard {
  kind: 'summary';
  locale: Locale;
  heading: string;
  lines: string[];
  text: string;
  /** People to @-mention where a platform can (the new owners named in a follow-up message). */
  mentions?: CardMention[];
}

export type Card = AlertCard | SummaryCard;
