import type { types } from '@slack/bolt';
import type { AlertCard, Card, CardAction, CardMention, CardRun, SummaryCard } from '../../src/bot/card.js';
import type { QuestionMessage } from '../../src/bot/chat-adapter.js';

/**
 * Card → Slack message (Block Kit), pure. The card's texts are already chosen and translated;
 * this file only lays them out and keeps every piece inside Slack's limits, because Slack refuses
 * the *whole* message (`invalid_blocks`) when one text is a character too long.
 */

export type KnownBlock = types.KnownBlock;
export type MessageAttachment = types.MessageAttachment;

export interface SlackMessage {
  /** Notification and screen-reader fallback; not shown in the channel when blocks are present. */
  text: string;
  blocks: KnownBlock[];
  attachments?: MessageAttachment[];
}

/** Every `action_id` dutybot puts on a card starts with this; inbound listeners match on it. */
export const ACTION_PREFIX = 'dutybot:';

// Block Kit limits (docs.slack.dev/reference/block-kit). Lengths are counted in UTF-16 units,
// which is never less than what Slack counts, so a text that fits here fits there.
const LIMIT = {
  text: 3900, // top-level `text`: Slack truncates long messages past ~4000 characters
  header: 150,
  sectionText: 3000,
  field: 2000,
  maxFields: 10,
  contextText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  options: 100,
  actionElements: 25,
  blockId: 255,
  blocks: 50,
} as const;

export function renderBlocks(card: Card): SlackMessage {
  return card.kind === 'alert' ? renderAlert(card) : renderSummary(card);
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Slack's message escaping: only `&`, `<` and `>` (they start entities, links and mentions). */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * At most `max` UTF-16 units of `raw`, escaped when `escape`, cut on a code point (and never
 * inside an `&amp;` entity) and ending in `…` when cut.
 */
export function fit(raw: string, max: number, escape = false): string {
  const enc = (cp: string): string => (escape ? escapeMrkdwn(cp) : cp);
  const whole = escape ? escapeMrkdwn(raw) : raw;
  if (whole.length <= max) return whole;
  let out = '';
  for (const cp of raw) {
    const piece = enc(cp);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out.trimEnd()}…`;
}

/** A Slack user id as it may go inside `<@…>` (nothing that could close or extend the mention). */
const SLACK_USER_ID = /^[A-Z0-9]+$/i;

/**
 * The text of a message that @-mentions `people` (`<@U0ZHANG> <@U0LI> 升级给你，请处理：…`), the
 * people without a Slack id named in plain words; '' when nobody has a Slack id (nobody to notify).
 * The words are escaped: an alert title's `<!channel>` stays text.
 */
export function mentionText(people: readonly CardMention[], words: string): string {
  const ids = people.flatMap((p) => (p.slack && SLACK_USER_ID.test(p.slack) ? [`<@${p.slack}>`] : []));
  if (!ids.length) return '';
  const named = people.filter((p) => !(p.slack && SLACK_USER_ID.test(p.slack))).map((p) => p.name);
  const head = [...ids, ...named.map((n) => escapeMrkdwn(n))].join(' ');
  return `${head} ${fit(words, Math.max(100, LIMIT.text - head.length - 1), true)}`;
}

function plain(text: string, max: number): types.PlainTextElement {
  // plain_text is shown as typed (no links, no mentions), so it needs no escaping; an empty
  // text is refused by Slack, hence the non-breaking fallback.
  return { type: 'plain_text', text: fit(text, max) || ' ', emoji: true };
}

function mrkdwn(escapedText: string): types.MrkdwnElement {
  // verbatim: Slack does not turn bare URLs, #channel or @here in alert texts into links/pings.
  return { type: 'mrkdwn', text: escapedText || ' ', verbatim: true };
}

/** `name=value` as inline code, so `*`, `_` and `~` in label values do not format the line. */
function labelText(name: string, value: string): string {
  const raw = `${name}=${value}`;
  const clipped = fit(raw, 200, true);
  return clipped.includes('`') ? clipped : `\`${clipped}\``;
}

const SAFE_SCHEME = /^(https?:|mailto:)/i;

/** `<href|text>` with the href made safe for Slack's link syntax; null for odd schemes. */
export function mrkdwnLink(href: string, text: string): string | null {
  const url = href.trim();
  if (!SAFE_SCHEME.test(url)) return null;
  const safeUrl = url
    .replace(/&/g, '&amp;')
    .replace(/</g, '%3C')
    .replace(/>/g, '%3E')
    .replace(/\|/g, '%7C')
    .replace(/\s/g, '%20');
  const label = fit(text.trim() || url, 200, true).replace(/\|/g, '¦');
  return `<${safeUrl}|${label}>`;
}

// ---------------------------------------------------------------------------------------------
// Alert card

function renderAlert(card: AlertCard): SlackMessage {
  // The heading is a top-level block so Slack treats `text` purely as the notification fallback
  // (with attachments alone, `text` is shown above them and the card would read twice). The rest
  // sits in one attachment, the only Block Kit container that takes a colour bar for severity.
  const top: KnownBlock[] = [{ type: 'header', text: plain(card.heading, LIMIT.header) }];
  const body: KnownBlock[] = [];

  if (card.status.trim()) body.push({ type: 'context', elements: [mrkdwn(fit(card.status, LIMIT.contextText, true))] });

  const fields = card.fields
    .filter((f) => f.label.trim() || f.value.trim())
    .slice(0, LIMIT.maxFields)
    .map((f) => mrkdwn(fieldText(f.label, f.value)));
  if (fields.length > 0) body.push({ type: 'section', fields });

  if (card.labels.length > 0) {
    const line = joinWithin(
      card.labels.map((l) => labelText(l.name, l.value)),
      '  ',
      LIMIT.contextText,
    );
    if (line) body.push({ type: 'context', elements: [mrkdwn(line)] });
  }

  const links = card.links.flatMap((l) => mrkdwnLink(l.href, l.text) ?? []);
  const linkLine = joinWithin(links, '  ·  ', LIMIT.sectionText);
  if (linkLine) body.push({ type: 'section', text: mrkdwn(linkLine) });

  const actions = renderActions(card);
  if (actions) body.push(actions);

  return {
    text: fit(card.text, LIMIT.text, true),
    blocks: top,
    // No attachment `fallback`: it is legacy, used only without a top-level `text`, and unescaped.
    attachments: [{ color: card.colour, blocks: body }],
  };
}

function fieldText(label: string, value: string): string {
  const head = label.trim() ? `*${fit(label.trim(), 200, true)}*\n` : '';
  return head + fit(value, LIMIT.field - head.length, true);
}

/** Joins whole items until the next one would pass `max` (a half link would break the line). */
function joinWithin(items: string[], sep: string, max: number): string {
  let out = '';
  for (const item of items) {
    const next = out ? out + sep + item : item;
    if (next.length > max) break;
    out = next;
  }
  return out;
}

function renderActions(card: AlertCard): types.ActionsBlock | null {
  const elements: types.ActionsBlockElement[] = [];
  for (const a of card.actions) {
    const el = a.options && a.options.length > 0 ? select(a) : a.id === 'reassign' || a.id === 'mute' || a.id === 'snooze' ? null : button(a, card.alertId);
    if (el) elements.push(el);
    if (elements.length === LIMIT.actionElements) break;
  }
  // Remediation actions: one button each, `dutybot:run:<name>` (action ids must differ within a block).
  for (const r of card.runs ?? []) {
    if (elements.length === LIMIT.actionElements) break;
    elements.push(runButton(r, card.alertId));
  }
  if (elements.length === 0) return null;
  // The block id carries the alert id: a select's payload has no `value` of its own, only the
  // chosen option, so the alert comes back through `block_id`.
  return { type: 'actions', block_id: `${ACTION_PREFIX}${card.alertId}`.slice(0, LIMIT.blockId), elements };
}

function button(a: CardAction, alertId: string): types.Button {
  const b: types.Button = {
    type: 'button',
    action_id: `${ACTION_PREFIX}${a.id}`,
    text: plain(a.label, LIMIT.buttonText),
    value: alertId.slice(0, LIMIT.buttonValue),
  };
  if (a.style) b.style = a.style;
  return b;
}

/** Prefix of a remediation action's `action_id`: `dutybot:run:restart-nginx`. */
export const RUN_PREFIX = `${ACTION_PREFIX}run:`;

/**
 * A remediation action's button. `confirm: true` uses Slack's own confirmation dialog: Slack sends
 * the click only after the person pressed its confirm button, so the click comes back confirmed.
 */
function runButton(r: CardRun, alertId: string): types.Button {
  const b: types.Button = {
    type: 'button',
    action_id: `${RUN_PREFIX}${r.name}`.slice(0, 255),
    text: plain(r.label, LIMIT.buttonText),
    value: alertId.slice(0, LIMIT.buttonValue),
  };
  if (r.style) b.style = r.style;
  if (r.confirm) {
    b.confirm = {
      title: plain(r.confirm.title, 100),
      text: plain(r.confirm.text, 300),
      confirm: plain(r.confirm.ok, 30),
      deny: plain(r.confirm.cancel, 30),
      style: 'danger',
    };
  }
  return b;
}

function select(a: CardAction): types.StaticSelect | null {
  const options = (a.options ?? [])
    // A value longer than Slack allows cannot be cut (it is an id): leave that choice out.
    .filter((o) => o.value.length > 0 && o.value.length <= LIMIT.optionValue)
    .slice(0, LIMIT.options)
    .map((o) => ({ text: plain(o.label || o.value, LIMIT.optionText), value: o.value }));
  if (options.length === 0) return null;
  return {
    type: 'static_select',
    action_id: `${ACTION_PREFIX}${a.id}`,
    placeholder: plain(a.label, LIMIT.placeholder),
    options,
  };
}

// ---------------------------------------------------------------------------------------------
// Summary card

function renderSummary(card: SummaryCard): SlackMessage {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(card.heading, LIMIT.header) }];
  let chunk = '';
  const flush = (): void => {
    if (chunk && blocks.length < LIMIT.blocks) blocks.push({ type: 'section', text: mrkdwn(chunk) });
    chunk = '';
  };
  for (const line of card.lines) {
    const escaped = fit(line, LIMIT.sectionText, true);
    if (chunk && chunk.length + 1 + escaped.length > LIMIT.sectionText) flush();
    chunk = chunk ? `${chunk}\n${escaped}` : escaped;
  }
  flush();
  return { text: fit(card.text, LIMIT.text, true), blocks };
}

// ---------------------------------------------------------------------------------------------
// Question (ChatAdapter.ask)

/** Prefix of a question choice's `action_id` (`dutybot:choice:0`); its `value` is the command. */
export const CHOICE_PREFIX = `${ACTION_PREFIX}choice:`;

/**
 * A question with its choices as buttons. Posted as a new message, so the asked person's
 * `<@U…>` in it notifies them; once answered, the same message shows the status and no buttons.
 */
export function renderQuestion(q: QuestionMessage): SlackMessage {
  const who = mentionText(q.mentions, '');
  const lines = q.lines.map((l) => fit(l, LIMIT.sectionText, true)).join('\n');
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(q.heading, LIMIT.header) },
    { type: 'section', text: mrkdwn(fit(who ? `${who.trim()}\n${lines}` : lines, LIMIT.sectionText)) },
  ];
  if (q.status) blocks.push({ type: 'context', elements: [mrkdwn(fit(q.status, LIMIT.contextText, true))] });
  const buttons = q.choices
    .filter((c) => c.command.length <= LIMIT.buttonValue)
    .slice(0, LIMIT.actionElements)
    .map((c, i): types.Button => ({
      type: 'button',
      action_id: `${CHOICE_PREFIX}${i}`,
      text: plain(c.label, LIMIT.buttonText),
      value: c.command,
      ...(c.style ? { style: c.style } : {}),
    }));
  if (buttons.length) blocks.push({ type: 'actions', block_id: `${ACTION_PREFIX}question`, elements: buttons });
  const text = who ? `${who.trim()} ${fit(q.text, LIMIT.text - who.length, true)}` : fit(q.text, LIMIT.text, true);
  return { text, blocks };
}
