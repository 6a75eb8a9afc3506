import type { AlertCard, Card, SummaryCard } from '../../src/bot/card.js';

/**
 * Card → WeChat text and WeCom robot markdown, pure. Neither platform has buttons or edits: a
 * card is posted once as text (its `#12` is what people answer to); the core posts later changes
 * as new messages (`#12 已认领 · 张三`, `📦 +14 more since 09:41`).
 */

// ---------------------------------------------------------------------------------------------
// Bytes

/** UTF-8 length, the unit WeCom counts its limits in (a Chinese character is 3 bytes). */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * At most `maxBytes` UTF-8 bytes of `s`, cut on a code point (never inside a character or a
 * surrogate pair) and ending in `…` when cut.
 */
export function truncateUtf8(s: string, maxBytes: number, ellipsis = '…'): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  const budget = maxBytes - utf8Bytes(ellipsis);
  if (budget <= 0) return '';
  let out = '';
  let used = 0;
  for (const cp of s) {
    const b = utf8Bytes(cp);
    if (used + b > budget) break;
    out += cp;
    used += b;
  }
  return out.trimEnd() + ellipsis;
}

// ---------------------------------------------------------------------------------------------
// WeChat (wechaty): plain text

/** A personal WeChat message stays readable up to a few thousand characters; cards are far below. */
export const WECHAT_TEXT_MAX = 4000;

/** The card as one text message. `card.text` already holds heading (`#12`), status, fields and the command hint. */
export function wechatText(card: Card): string {
  return clipChars(card.text.trim() || card.heading, WECHAT_TEXT_MAX);
}

export function clipChars(s: string, max: number): string {
  const points = Array.from(s);
  return points.length <= max ? s : `${points.slice(0, max - 1).join('').trimEnd()}…`;
}

// ---------------------------------------------------------------------------------------------
// WeCom group robot: markdown

/** WeCom robot limits, in UTF-8 bytes. */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
export const WECOM_TEXT_MAX_BYTES = 2048;

/** WeCom markdown knows three colours: `warning` (orange-red), `info` (green), `comment` (grey). */
function colourOf(card: AlertCard): 'warning' | 'info' | 'comment' {
  if (card.state === 'resolved') return 'info';
  return card.severity === 'info' ? 'comment' : 'warning';
}

/**
 * Alert texts are data, not markup: `<` would open a `<font>` tag and `[..](..)` a link, so they
 * are shown as their full-width look-alikes. Newlines become spaces (one item per line).
 */
export function escapeWeCom(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/\[/g, '［')
    .replace(/\]/g, '］');
}

/** An http(s) address safe inside `(…)`; null for anything else. */
function safeHref(href: string): string | null {
  const url = href.trim();
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return null;
  return url.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** Lines in order: all of `required`, then whole optional lines while they fit, then a safety cut. */
function fitLines(required: string[], optional: string[], maxBytes: number): string {
  let used = required.reduce((n, l) => n + utf8Bytes(l) + 1, 0);
  const kept: string[] = [];
  for (const line of optional) {
    const b = utf8Bytes(line) + 1;
    if (used + b > maxBytes) continue;
    kept.push(line);
    used += b;
  }
  return truncateUtf8([...required, ...kept].join('\n'), maxBytes);
}

export function renderWeComMarkdown(card: Card): string {
  return card.kind === 'alert' ? alertMarkdown(card) : summaryMarkdown(card);
}

function alertMarkdown(card: AlertCard): string {
  // Each piece is cut on its own first, so the whole always has room for heading and status
  // and a cut never lands inside a `<font>` tag or a link.
  const heading = `### ${truncateUtf8(escapeWeCom(card.heading), 1024)}`;
  const status = card.status.trim()
    ? `<font color="${colourOf(card)}">${truncateUtf8(escapeWeCom(card.status), 512)}</font>`
    : '';
  const optional: string[] = [];
  for (const f of card.fields) {
    const label = escapeWeCom(f.label.trim());
    const value = escapeWeCom(f.value.trim());
    if (!label && !value) continue;
    optional.push(`> ${truncateUtf8(label ? `${label}：${value}` : value, 512)}`);
  }
  if (card.labels.length > 0) {
    const line = card.labels.map((l) => `${l.name}=${l.value}`).join(' · ');
    optional.push(`> ${truncateUtf8(escapeWeCom(line), 1024)}`);
  }
  for (const l of card.links) {
    const href = safeHref(l.href);
    if (!href || utf8Bytes(href) > 1500) continue;
    optional.push(`[${truncateUtf8(escapeWeCom(l.text.trim() || href), 200)}](${href})`);
  }
  return fitLines([heading, status].filter(Boolean), optional, WECOM_MARKDOWN_MAX_BYTES);
}

function summaryMarkdown(card: SummaryCard): string {
  // A one-line card (a follow-up) is a line, not a heading.
  if (card.lines.length === 0) return truncateUtf8(`**${escapeWeCom(card.heading)}**`, 1024);
  const heading = `### ${truncateUtf8(escapeWeCom(card.heading), 1024)}`;
  const lines = card.lines.map((l) => `> ${truncateUtf8(escapeWeCom(l), 512)}`);
  return fitLines([heading], lines, WECOM_MARKDOWN_MAX_BYTES);
}

