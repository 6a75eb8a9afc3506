/**
 * WeChat group text → what dutybot reads from it, pure. WeChat has no slash commands and no
 * buttons: people type `认领 12`, @-mention the bot, or quote a card and type `认领`.
 *
 * A quote arrives as one text (the format puppets give for WeChat's "引用" reply):
 *
 *   「dutybot：🔴 #12 Disk almost full on web-1 …」
 *   - - - - - - - - - - - - - - -
 *   认领
 *
 * An @-mention is `@<name>` followed by U+2005 (FOUR-PER-EM SPACE, what WeChat inserts) or a space.
 */

/** U+2005 and the other spaces WeChat puts around mentions; zero-width characters go too. */
const MENTION_END = '[\\u2005\\u0020\\u00a0\\u3000]';
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/** `「…」` or `"…"`, a line of dashes (`- - - …`), then the reply. */
const QUOTE = /^\s*(?:「([\s\S]*?)」|"([\s\S]*?)")[ \t]*\r?\n[ \t]*-(?:[ \t]*-){2,}[ \t]*(?:\r?\n([\s\S]*))?$/;

/** `#12`, `＃12`, `# 12` inside the quoted text. */
const REF = /[#＃]\s?([0-9０-９]{1,12})(?![0-9０-９])/;

export interface QuoteSplit {
  /** The quoted message (`dutybot：🔴 #12 …`), when the text is a quote reply. */
  quoted?: string;
  /** What the person wrote themselves. */
  body: string;
}

export function splitQuote(text: string): QuoteSplit {
  const m = QUOTE.exec(text);
  if (!m) return { body: text };
  return { quoted: m[1] ?? m[2] ?? '', body: m[3] ?? '' };
}

/** The short id (`12`) of the alert a quoted card or follow-up line is about. */
export function quotedAlertRef(quoted: string): string | undefined {
  const m = REF.exec(quoted.normalize('NFKC'));
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  return n > 0 ? String(n) : undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes `@<name>` for each of the bot's names (its WeChat name, its group nickname) and says
 * whether one was there. Other people's mentions stay (`转派 12 @李四` needs them).
 */
export function stripBotMentions(text: string, names: readonly string[]): { text: string; mentioned: boolean } {
  let out = text.replace(INVISIBLE, '');
  let mentioned = false;
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))].sort((a, b) => b.length - a.length);
  for (const name of unique) {
    const re = new RegExp(`[@＠]${escapeRegExp(name)}(?:${MENTION_END}+|$)`, 'g');
    out = out.replace(re, () => {
      mentioned = true;
      return ' ';
    });
  }
  return { text: out.replace(/\u2005/g, ' ').replace(/[ \t]+/g, ' ').trim(), mentioned };
}

export interface ParsedText {
  /** The command text: the reply part of a quote, without the bot's mention. */
  text: string;
  mentioned: boolean;
  quotedAlertRef?: string;
}

export function parseGroupText(raw: string, botNames: readonly string[]): ParsedText {
  const { quoted, body } = splitQuote(raw);
  const { text, mentioned } = stripBotMentions(body, botNames);
  const ref = quoted !== undefined ? quotedAlertRef(quoted) : undefined;
  return ref ? { text, mentioned, quotedAlertRef: ref } : { text, mentioned };
}

