import type { AlertCard, Card, CardActionId, Locale, SummaryCard } from '../../src/bot/card.js';
import type { QuestionMessage } from '../../src/bot/chat-adapter.js';
import { mentionMobiles } from '../../src/bot/mentions.js';

/**
 * Card → DingTalk, pure. Two shapes:
 * - `cardParams`: the `cardParamMap` of our interactive card template (app robot). DingTalk card
 *   params are string → string: lists travel as JSON strings, flags as `"true"`/`"false"`. The
 *   template's variables are listed in docs/dingtalk.md; a key is never left out, so an update
 *   always clears what the previous state showed.
 * - `webhookMarkdown`: a markdown message for a custom group robot, whose buttons could not come
 *   back to us, so it says how to act instead.
 */

export const ACTION_IDS: readonly CardActionId[] = ['claim', 'resolve', 'escalate', 'reassign', 'mute', 'unmute'];

/** Every key the template may use (docs/dingtalk.md describes each). */
export const CARD_PARAM_KEYS = [
  'kind',
  'locale',
  'alertId',
  'ref',
  'title',
  'status',
  'colour',
  'severity',
  'state',
  'markdown',
  'fields',
  'labels',
  'links',
  'actions',
  'hint',
  'text',
  ...ACTION_IDS.flatMap((id) => [`show_${id}`, `label_${id}`]),
  'options_reassign',
  'options_mute',
  'runs',
  'show_runs',
  'run_status',
  'choices',
  'show_choices',
] as const;

const LIMIT = { title: 200, status: 300, markdown: 4000, text: 2000, field: 500, options: 50 } as const;

export type CardParams = Record<string, string>;

export function cardParams(card: Card): CardParams {
  return card.kind === 'alert' ? alertParams(card) : summaryParams(card);
}

function emptyParams(locale: Locale): CardParams {
  const p: CardParams = {};
  for (const k of CARD_PARAM_KEYS) p[k] = '';
  p.locale = locale;
  for (const id of ACTION_IDS) p[`show_${id}`] = 'false';
  p.fields = '[]';
  p.labels = '[]';
  p.links = '[]';
  p.actions = '[]';
  p.options_reassign = '[]';
  p.options_mute = '[]';
  p.runs = '[]';
  p.show_runs = 'false';
  p.choices = '[]';
  p.show_choices = 'false';
  return p;
}

function alertParams(card: AlertCard): CardParams {
  const p = emptyParams(card.locale);
  p.kind = 'alert';
  p.alertId = card.alertId;
  p.ref = card.ref;
  p.title = cut(card.heading, LIMIT.title);
  p.status = cut(card.status, LIMIT.status);
  p.colour = card.colour;
  p.severity = card.severity;
  p.state = card.state;
  p.hint = card.commandHint;
  p.text = cut(card.text, LIMIT.text);
  p.markdown = cut(alertBodyMarkdown(card), LIMIT.markdown);
  p.fields = JSON.stringify(card.fields.map((f) => ({ label: cut(f.label, LIMIT.field), value: cut(f.value, LIMIT.field) })));
  p.labels = JSON.stringify(card.labels.map((l) => ({ name: l.name, value: l.value })));
  p.links = JSON.stringify(card.links.map((l) => ({ text: l.text, href: l.href })));
  // Its card template has no snooze choice yet: DingTalk users type `延后 <id> <时长>` (the hint says so).
  const actions = card.actions.filter((a) => a.id !== 'snooze').map((a) => ({
    id: a.id,
    label: a.label,
    style: a.style ?? 'default',
    options: (a.options ?? []).slice(0, LIMIT.options).map((o) => ({ value: o.value, text: o.label })),
  }));
  p.actions = JSON.stringify(actions);
  for (const a of actions) {
    // A choice button with nothing to choose is a dead button.
    if ((a.id === 'reassign' || a.id === 'mute') && a.options.length === 0) continue;
    p[`show_${a.id}`] = 'true';
    p[`label_${a.id}`] = a.label;
    if (a.id === 'reassign' || a.id === 'mute') p[`options_${a.id}`] = JSON.stringify(a.options);
  }
  // Remediation actions: a button each in a loop over `runs` (docs/dingtalk.md). DingTalk has no
  // confirmation dialog: `confirm: true` asks the clicker privately to click again.
  const runs = (card.runs ?? []).map((r) => ({ name: r.name, label: r.label, command: r.command, confirm: r.confirm ? 'true' : 'false' }));
  p.runs = JSON.stringify(runs);
  p.show_runs = runs.length ? 'true' : 'false';
  p.run_status = card.runResult ? cut(card.runResult, LIMIT.status) : '';
  return p;
}

function summaryParams(card: SummaryCard): CardParams {
  const p = emptyParams(card.locale);
  p.kind = 'summary';
  p.title = cut(card.heading, LIMIT.title);
  p.markdown = cut(card.lines.map(md).join('  \n'), LIMIT.markdown);
  p.text = cut(card.text, LIMIT.text);
  p.colour = '#5f6368';
  return p;
}

/**
 * A question (ChatAdapter.ask) on the same template: `kind: question`, its lines as `markdown`,
 * the answer as `status`, and a button per entry of `choices` whose callback params are
 * `{"action": "choice", "command": "${item.command}", "conv": "${conv}"}` (docs/dingtalk.md).
 */
export function questionParams(q: QuestionMessage): CardParams {
  const p = emptyParams(q.locale);
  p.kind = 'question';
  p.title = cut(q.heading, LIMIT.title);
  p.markdown = cut(q.lines.map(md).join('  \n'), LIMIT.markdown);
  p.status = q.status ? cut(q.status, LIMIT.status) : '';
  p.text = cut(q.text, LIMIT.text);
  p.colour = '#1a73e8';
  const choices = q.choices.slice(0, 5).map((c) => ({ label: c.label, command: c.command, style: c.style ?? 'default' }));
  p.choices = JSON.stringify(choices);
  p.show_choices = choices.length ? 'true' : 'false';
  return p;
}

/** Fields, labels and links as DingTalk markdown (one template component shows them all). */
function alertBodyMarkdown(card: AlertCard): string {
  const lines: string[] = card.fields.map((f) => `**${md(f.label)}**：${md(f.value)}`);
  if (card.labels.length) lines.push(card.labels.map((l) => `${md(l.name)}=${md(l.value)}`).join(' · '));
  const links = card.links.map((l) => mdLink(l.text, l.href)).filter(Boolean);
  if (links.length) lines.push(links.join(' · '));
  return lines.join('  \n');
}

// ---------------------------------------------------------------------------------------------
// Custom robot (webhook) messages

export interface WebhookMarkdown {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
  at: { atMobiles: string[]; atUserIds: string[]; isAtAll: false };
}

/** What a custom robot message says under the command hint: its group cannot answer back. */
export const WEBHOOK_ACT_HINT: Record<Locale, string> = {
  zh: '（此群机器人只能通知，无法接收回复：请在有 dutybot 应用机器人的群里 @它发送命令，或在其他平台处理）',
  en: '(This group robot only notifies and cannot receive replies: send the command to the dutybot app robot, or act on another platform.)',
};

const WEBHOOK_TEXT_MAX = 4000;

/**
 * DingTalk notifies the people in `at` only when the text also carries `@<mobile>` / `@<userId>`.
 */
export function atOf(card: Card): { at: WebhookMarkdown['at']; tag: string } {
  const mentions = card.mentions ?? [];
  const atMobiles = mentionMobiles(card);
  const atUserIds = mentions.flatMap((m) => (!m.phone && m.dingtalk ? [m.dingtalk] : []));
  const tag = [...atMobiles, ...atUserIds].map((x) => `@${x}`).join(' ');
  return { at: { atMobiles, atUserIds, isAtAll: false }, tag };
}

export function webhookMarkdown(card: Card, actHint?: string): WebhookMarkdown {
  const { at, tag } = atOf(card);
  if (card.kind === 'summary') {
    const text = [`### ${md(card.heading)}`, card.lines.map(md).join('  \n'), tag].filter(Boolean).join('\n\n');
    return { msgtype: 'markdown', markdown: { title: cut(card.heading, 100), text: cut(text, WEBHOOK_TEXT_MAX) }, at };
  }
  const head = [`<font color="${safeColour(card.colour)}">**${md(card.heading)}**</font>`, md(card.status)].filter(Boolean).join('  \n');
  const body = alertBodyMarkdown(card);
  const hint = card.commandHint ? `${md(card.commandHint)}  \n${md(actHint ?? WEBHOOK_ACT_HINT[card.locale] ?? WEBHOOK_ACT_HINT.zh)}` : '';
  // The hint is what makes the message actionable: the body gives way first when too long.
  const room = WEBHOOK_TEXT_MAX - head.length - hint.length - 8;
  const text = [head, room > 20 ? cut(body, room) : '', hint, tag].filter(Boolean).join('\n\n');
  return { msgtype: 'markdown', markdown: { title: cut(card.heading, 100), text: cut(text, WEBHOOK_TEXT_MAX) }, at };
}

/** A one-line card (a follow-up, `#12 已认领 · 张三`) as a text message that @-mentions its people. */
export function webhookLine(card: Card): { msgtype: 'text'; text: { content: string }; at: WebhookMarkdown['at'] } {
  const { at, tag } = atOf(card);
  return { msgtype: 'text', text: { content: [cut(card.heading, 300), tag].filter(Boolean).join(' ') }, at };
}


// ---------------------------------------------------------------------------------------------
// Text helpers

/** At most `max` code points, ending in `…` when cut. */
export function cut(s: string, max: number): string {
  const points = Array.from(s);
  return points.length <= max ? s : `${points.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/**
 * Alert texts are not ours (titles come from monitoring tools): what could turn them into a
 * link, a heading, code, bold or a `<font>` tag is neutralised, and line breaks become spaces.
 * Escaping stays minimal (`_` in `node_exporter` is left alone: intraword, it never emphasises)
 * because every backslash is one more character a client might show.
 */
export function md(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*]/g, (c) => `\\${c}`)
    .replace(/\]\(/g, ']\\(')
    .replace(/^(\s*)([#+-])/, '$1\\$2')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function mdLink(text: string, href: string): string {
  if (!/^https?:\/\//i.test(href)) return '';
  const url = href.replace(/[()\s<>]/g, (c) => encodeURIComponent(c));
  return `[${md(text || href)}](${url})`;
}

function safeColour(c: string): string {
  return /^#[0-9a-f]{6}$/i.test(c) ? c : '#1a73e8';
}
