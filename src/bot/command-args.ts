import type { Locale } from './card.js';
import { parseDuration } from './durations.js';
import type { Texts } from './command-texts.js';
import type { Command, CommandName, ParseResult, StatsDays } from './command-grammar.js';
import { usage } from './command-help.js';
import { firstToken, fold, quote } from './command-scan.js';

/** The arguments of each alert command: ids (written or quoted), members, durations, periods. */

/** `12`, `#12`, `＃１２` → `12`; a 24-hex id → lower-cased; else null. Short ids start at 1. */
export function normaliseRef(token: string): string | null {
  let s = token.normalize('NFKC').trim();
  if (s.startsWith('#')) s = s.slice(1);
  if (/^\d{1,12}$/.test(s)) {
    const n = Number(s);
    return n > 0 ? String(n) : null;
  }
  if (/^[0-9a-f]{24}$/i.test(s)) return s.toLowerCase();
  return null;
}

/** An id glued to non-ASCII text: `12已重启` → `12` + `已重启`. */
const GLUED_REF = /^([#＃]?(?:[0-9０-９]{1,12}|[0-9a-fA-F]{24}))(?=[^\x00-\x7F０-９])/;

/** The alert id at the start of `args`, if there is one. */
function leadingRef(args: string): { ref: string; rest: string } | null {
  const { tok, rest } = firstToken(args);
  if (!tok) return null;
  const ref = normaliseRef(tok);
  if (ref) return { ref, rest };
  const m = GLUED_REF.exec(tok);
  const head = m?.[1];
  if (head === undefined) return null;
  const glued = normaliseRef(head);
  return glued ? { ref: glued, rest: tok.slice(head.length) + rest } : null;
}

/** Looks like someone meant an id (`-12`, `#abc`, `12.5`), not like a note (`已处理`). */
function looksLikeRef(tok: string): boolean {
  return /^[#＃+\-]|^[0-9０-９]+$|^[0-9a-f]{8,}$/i.test(tok.normalize('NFKC'));
}

type ArgResult = Command | string;

/** A member id, `@张三` / `＠张三` (the name), or a Slack `<@U123>` / `<@U123|name>` (the user id). */
function parseMember(tok: string): { member: string; mention: boolean } | null {
  const slack = /^<@([A-Za-z0-9][A-Za-z0-9._-]*)(?:\|[^>]*)?>$/.exec(tok);
  if (slack?.[1]) return { member: slack[1], mention: true };
  if (tok.startsWith('@') || tok.startsWith('＠')) {
    const name = tok.slice(1);
    return name && !/^[@＠<]/.test(name) ? { member: name, mention: false } : null;
  }
  if (tok.startsWith('<') || tok.startsWith('>')) return null;
  return { member: tok, mention: false };
}

function idOnly(name: 'claim' | 'unmute' | 'show', t: Texts) {
  return (ref: string, rest: string): ArgResult => {
    const extra = rest.trim();
    return extra ? t.extra(quote(extra)) : { name, ref };
  };
}

function argParser(name: Exclude<CommandName, 'list' | 'help' | 'stats' | 'oncall' | 'cover'>, t: Texts): (ref: string, rest: string) => ArgResult {
  switch (name) {
    case 'claim':
    case 'unmute':
    case 'show':
      return idOnly(name, t);
    case 'resolve':
      return (ref, rest) => {
        const note = rest.trim();
        return note ? { name, ref, note } : { name, ref };
      };
    case 'escalate':
      return (ref, rest) => {
        const reason = rest.trim();
        return reason ? { name, ref, reason } : { name, ref };
      };
    case 'reassign':
      return (ref, rest) => {
        const { tok, rest: after } = firstToken(rest);
        if (!tok) return t.missingMember;
        const m = parseMember(tok);
        if (!m) return t.badMember(quote(tok));
        const reason = after.trim();
        return reason ? { name, ref, ...m, reason } : { name, ref, ...m };
      };
    case 'mute':
    case 'snooze':
      return (ref, rest) => {
        const text = rest.trim();
        if (!text) return t.missingDuration;
        const durationMs = parseDuration(text);
        return durationMs === null ? t.badDuration(quote(text)) : { name, ref, durationMs };
      };
  }
}

/**
 * Commands on one alert: the id written in the text first; when that does not make a valid
 * command and a card was quoted, the whole text as arguments for the quoted alert
 * (`静默 30 min` quoting #5 → mute #5 for 30 min, not #30).
 */
export function withRef(
  name: Exclude<CommandName, 'list' | 'help' | 'stats' | 'oncall' | 'cover'>,
  args: string,
  quotedRef: string | null,
  t: Texts,
  locale: Locale,
): ParseResult {
  const parse = argParser(name, t);
  const fail = (error: string): ParseResult => ({ ok: false, error, usage: usage(name, locale) });
  const done = (r: ArgResult): ParseResult => (typeof r === 'string' ? fail(r) : { ok: true, command: r });

  const explicit = leadingRef(args);
  if (explicit) {
    const r = parse(explicit.ref, explicit.rest);
    if (typeof r !== 'string' || !quotedRef) return done(r);
    const q = parse(quotedRef, args);
    return typeof q === 'string' ? fail(r) : done(q);
  }
  if (quotedRef) return done(parse(quotedRef, args));

  const { tok } = firstToken(args);
  if (!tok) return fail(t.missingRef);
  const idOnlyCommand = name === 'claim' || name === 'unmute' || name === 'show';
  return fail(idOnlyCommand || looksLikeRef(tok) ? t.badRef(quote(tok)) : t.missingRef);
}

/** `7d`, `30d`, `7天`, `30日`, `７ｄ`; null when the token is no period at all. */
const PERIOD = /^(\d{1,4})\s*(d|day|days|天|日)?$/;

/** `stats [team] [7d|30d]`, in either order; a number-like token is always read as a period. */
export function parseStats(args: string, t: Texts, locale: Locale): ParseResult {
  const fail = (error: string): ParseResult => ({ ok: false, error, usage: usage('stats', locale) });
  const tokens = args.trim().split(/\s+/).filter(Boolean);
  if (tokens.length > 2) return fail(t.extra(quote(tokens.slice(2).join(' '))));
  let days: StatsDays = 7;
  let team: string | undefined;
  for (const tok of tokens) {
    const m = PERIOD.exec(fold(tok));
    if (m || /^[0-9０-９]/.test(tok)) {
      const n = m ? Number(m[1]) : NaN;
      if (n !== 7 && n !== 30) return fail(t.badPeriod(quote(tok)));
      days = n;
    } else if (team === undefined) {
      team = tok;
    } else {
      return fail(t.extra(quote(tok)));
    }
  }
  return { ok: true, command: team ? { name: 'stats', team, days } : { name: 'stats', days } };
}

const ME = new Set(['me', 'myself', '我', '自己', '本人']);

/** `cover <member|me> <duration>`: who takes over, and for how long from now. */
export function parseCover(args: string, t: Texts, locale: Locale): ParseResult {
  const fail = (error: string): ParseResult => ({ ok: false, error, usage: usage('cover', locale) });
  const { tok, rest } = firstToken(args);
  if (!tok) return fail(t.missingMember);
  const text = rest.trim();
  if (!text) return fail(t.missingCoverDuration);
  const durationMs = parseDuration(text);
  if (durationMs === null) return fail(t.badCoverDuration(quote(text)));
  if (ME.has(fold(tok))) return { ok: true, command: { name: 'cover', mention: false, durationMs } };
  const m = parseMember(tok);
  if (!m) return fail(t.badMember(quote(tok)));
  return { ok: true, command: { name: 'cover', member: m.member, mention: m.mention, durationMs } };
}
