import type { AlertCard, Card, CardAction, CardMention, SummaryCard } from '../../src/bot/card.js';
import type { QuestionMessage } from '../../src/bot/chat-adapter.js';

/**
 * Card → Feishu message card JSON (the `interactive` message's content, card JSON 1.0), pure.
 * Two flavours:
 * - `appCard`: the app bot's card, with buttons and menus whose `value` comes back to us as a
 *   `card.action.trigger` callback (`{action, alertId[, value]}`); `update_multi` so that one
 *   `im.message.patch` changes the card for everyone in the group.
 * - `robotCard`: the custom bot's card. A custom bot cannot receive callbacks, so it has no
 *   buttons: it says how to act instead, and fits the bot's 20 KB request limit.
 */

/** What a button or menu sends back; Feishu returns `value` as given (`option` is the menu's choice). */
export interface ButtonValue {
  action: CardAction['id'] | 'run';
  alertId: string;
  /** A remediation action's name. */
  value?: string;
}

type Json = Record<string, unknown>;

/** Header colours Feishu offers; severity decides, a resolved alert is green. */
export function headerTemplate(card: Card): string {
  if (card.kind === 'summary') return 'grey';
  if (card.state === 'resolved') return 'green';
  return card.severity === 'critical' ? 'red' : card.severity === 'warning' ? 'orange' : 'blue';
}

/** lark_md is markdown plus a few tags (`<at>`, `<font>`): alert texts must not open either. */
export function escapeMd(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([*_~`[\]()\\])/g, '\\$1');
}

const plain = (content: string): Json => ({ tag: 'plain_text', content });
const md = (content: string): Json => ({ tag: 'div', text: { tag: 'lark_md', content } });

/** `<at id=ou_…></at>` for people with a Feishu id, their name otherwise. */
export function atText(people: readonly CardMention[]): string {
  return people.map((p) => (p.feishu ? `<at id=${p.feishu}></at>` : `@${escapeMd(p.name)}`)).join(' ');
}

function alertBody(card: AlertCard, opts: { maxFieldChars: number }): Json[] {
  const elements: Json[] = [md(`**${escapeMd(card.status)}**`)];
  if (card.fields.length) {
    elements.push({
      tag: 'div',
      fields: card.fields.map((f) => ({
        is_short: f.value.length <= 40,
        text: { tag: 'lark_md', content: `**${escapeMd(f.label)}**\n${escapeMd(cut(f.value, opts.maxFieldChars))}` },
      })),
    });
  }
  if (card.labels.length) elements.push(md(card.labels.slice(0, 12).map((l) => `\`${escapeMd(l.name)}=${escapeMd(cut(l.value, 80))}\``).join(' ')));
  if (card.links.length) elements.push(md(card.links.map((l) => `[${escapeMd(l.text)}](${l.href})`).join(' · ')));
  return elements;
}

function button(action: CardAction, alertId: string): Json {
  const value: ButtonValue = { action: action.id, alertId };
  if (action.options?.length) {
    // A menu: Feishu sends the chosen option's value as `action.option`.
    return {
      tag: 'select_static',
      placeholder: plain(action.label),
      value,
      options: action.options.map((o) => ({ text: plain(o.label), value: o.value })),
    };
  }
  return { tag: 'button', text: plain(action.label), type: action.style === 'danger' ? 'danger' : action.style === 'primary' ? 'primary' : 'default', value };
}

function runButtons(card: AlertCard): Json[] {
  return (card.runs ?? []).map((run) => {
    const value: ButtonValue = { action: 'run', alertId: card.alertId, value: run.name };
    return {
      tag: 'button',
      text: plain(run.label),
      type: run.style === 'danger' ? 'danger' : 'default',
      value,
      // Feishu's own confirmation dialog: the click that arrives is already confirmed.
      ...(run.confirm ? { confirm: { title: plain(run.confirm.title), text: plain(run.confirm.text) } } : {}),
    };
  });
}

/** The app bot's card for an alert or a summary. */
export function appCard(card: Card): Json {
  if (card.kind === 'summary') return summaryCard(card);
  const elements = alertBody(card, { maxFieldChars: 1000 });
  if (card.actions.length) elements.push({ tag: 'action', actions: card.actions.map((a) => button(a, card.alertId)) });
  const runs = runButtons(card);
  if (runs.length) elements.push({ tag: 'action', actions: runs });
  elements.push({ tag: 'note', elements: [plain(card.commandHint)] });
  return {
    config: { wide_screen_mode: true, update_multi: true },
    header: { template: headerTemplate(card), title: plain(card.heading) },
    elements,
  };
}

function summaryCard(card: SummaryCard, hint?: string): Json {
  const elements: Json[] = [];
  if (card.lines.length) elements.push(md(card.lines.map(escapeMd).join('\n')));
  if (card.mentions?.length) elements.push(md(atText(card.mentions)));
  if (hint) elements.push({ tag: 'note', elements: [plain(hint)] });
  return {
    config: { wide_screen_mode: true, update_multi: true },
    header: { template: 'grey', title: plain(card.heading) },
    elements: elements.length ? elements : [md(escapeMd(card.text))],
  };
}

/** What a question's button sends back: the command it stands for (ChatAdapter.ask). */
export interface ChoiceValue {
  action: 'choice';
  command: string;
}

/** A question (ChatAdapter.ask) as an app card: the asked person @-mentioned, a button per choice. */
export function questionCard(q: QuestionMessage): Json {
  const elements: Json[] = [md([atText(q.mentions.filter((p) => p.feishu)), ...q.lines.map(escapeMd)].filter(Boolean).join('\n'))];
  if (q.status) elements.push(md(`**${escapeMd(q.status)}**`));
  if (q.choices.length) {
    elements.push({
      tag: 'action',
      actions: q.choices.map((c) => {
        const value: ChoiceValue = { action: 'choice', command: c.command };
        return { tag: 'button', text: plain(c.label), type: c.style ?? 'default', value };
      }),
    });
  }
  return { config: { wide_screen_mode: true, update_multi: true }, header: { template: q.status ? 'grey' : 'blue', title: plain(q.heading) }, elements };
}

/** The line a custom bot's card ends with: it cannot take replies. */
export const ROBOT_HINT = { zh: '此机器人无法接收回复：请在飞书应用机器人或其他平台上操作', en: 'This bot cannot take replies: act through the Feishu app bot or another platform' };

/**
 * A custom bot's card: no buttons (nothing comes back), the commands and a note instead, shrunk
 * until its JSON fits `maxBytes` (the bot takes 20 KB per request, the envelope included).
 */
export function robotCard(card: Card, maxBytes: number, actHint?: string): Json {
  const hint = actHint ?? ROBOT_HINT[card.locale];
  if (card.kind === 'summary') return fit(summaryCard(card, hint), maxBytes, card.text);
  for (const maxFieldChars of [1000, 300, 80]) {
    const elements = alertBody(card, { maxFieldChars });
    if (card.mentions.length) elements.push(md(atText(card.mentions)));
    elements.push({ tag: 'note', elements: [plain(card.commandHint), plain(hint)] });
    const json = { config: { wide_screen_mode: true }, header: { template: headerTemplate(card), title: plain(card.heading) }, elements };
    if (bytes(json) <= maxBytes) return json;
  }
  return fit({ config: { wide_screen_mode: true }, header: { template: headerTemplate(card), title: plain(card.heading) }, elements: [] }, maxBytes, card.text);
}

/** A card that is still too big keeps its header and as much of the plain text as fits. */
function fit(json: Json, maxBytes: number, text: string): Json {
  if (bytes(json) <= maxBytes) return json;
  let keep = text;
  for (;;) {
    keep = cut(keep, Math.floor(keep.length * 0.7));
    const smaller = { ...json, elements: [md(escapeMd(keep))] };
    if (bytes(smaller) <= maxBytes || keep.length < 20) return smaller;
  }
}

/** A plain text message (answers, direct messages): Feishu's `text` content. */
export function textContent(text: string, people: readonly CardMention[] = []): string {
  const at = people.map((p) => (p.feishu ? `<at user_id="${p.feishu}">${p.name}</at>` : `@${p.name}`)).join(' ');
  return JSON.stringify({ text: cut(at ? `${at} ${text}` : text, 4000) });
}

export const bytes = (json: unknown): number => Buffer.byteLength(JSON.stringify(json), 'utf8');

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
