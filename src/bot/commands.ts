import type { Locale } from './card.js';
import { parseDuration } from './durations.js';
import { DESCRIPTIONS, FORMS, textsOf, type Texts } from './command-texts.js';
import { isOtherCommand, otherCommandOf, OTHER_COMMANDS, OTHER_HELP, type OtherCommand } from './other-commands.js';

export { HEARTBEAT_PAUSE_VERB, OTHER_COMMANDS, OTHER_VERBS, otherCommandOf, type OtherCommand } from './other-commands.js';

/**
 * The one text-command grammar of every chat platform (Slack, DingTalk, WeChat), Chinese and
 * English, as pure functions. The adapter strips its slash command (`/alert`); this file strips
 * leading bot mentions (`@dutybot`, `<@UBOT>`) itself.
 *
 *   claim|ack|认领|接 <id>
 *   resolve|close|关闭|解决 <id> [note…]
 *   escalate|升级 <id> [reason…]
 *   reassign|转派|指派 <id> <member> [reason…]
 *   mute|静默 <id> <duration>
 *   unmute|取消静默 <id>
 *   list|ls|列表 [mine|open|team|我的|未处理|团队]
 *   show|详情|查看 <id>
 *   help|帮助|?|？ [command]
 *   stats|统计 [team] [7d|30d]
 *   oncall|值班 [team]
 *   cover|代班 <member|me|我> <duration>
 *   run|执行 <action> <id>   (parsed by src/bot/run-command.ts; listed in help here)
 *
 * Help also lists the commands with parsers of their own (`OTHER_VERBS` below): heartbeats and
 * maintenance windows (src/bot/ops-commands.ts) and remediation actions (src/bot/run-command.ts).
 *
 * `<id>`: `12`, `#12`, `＃12` or a 24-hex alert id. Chinese verbs may be glued to the id
 * (`认领12`, `关闭12 已重启`). When the message quotes a card (`quotedAlertRef`), the id may be
 * left out (`认领`, `关闭 已处理`); an id that is written wins over the quoted one.
 */

export type CommandName = 'claim' | 'resolve' | 'escalate' | 'reassign' | 'mute' | 'unmute' | 'list' | 'show' | 'help' | 'stats' | 'oncall' | 'cover' | 'snooze';

export type Command =
  | { name: 'claim'; ref: string }
  | { name: 'resolve'; ref: string; note?: string }
  | { name: 'escalate'; ref: string; reason?: string }
  | { name: 'reassign'; ref: string; member: string; mention: boolean; reason?: string }
  | { name: 'mute'; ref: string; durationMs: number }
  | { name: 'unmute'; ref: string }
  | { name: 'list'; scope: 'mine' | 'open' | 'team' }
  | { name: 'show'; ref: string }
  | { name: 'help'; topic?: CommandName | OtherCommand }
  /** Figures of a team (the channel's when absent) over the last `days` days. */
  | { name: 'stats'; team?: string; days: StatsDays }
  /** Who is on call now and next, per schedule of the team (the channel's team when absent). */
  | { name: 'oncall'; team?: string }
  /** An override from now on the schedule of the asker's team: `member` is absent for "me". */
  | { name: 'cover'; member?: string; mention: boolean; durationMs: number }
  /** The owner pushes the alert's ack timeout out to now + duration (src/core/ack-timeout.ts). */
  | { name: 'snooze'; ref: string; durationMs: number };

export type StatsDays = 7 | 30;

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string; usage: string };

/** In the order help lists them: the everyday ones first (the short help shows the first few). */
const COMMAND_NAMES: readonly CommandName[] = [
  'claim',
  'resolve',
  'list',
  'show',
  'escalate',
  'reassign',
  'mute',
  'unmute',
  'stats',
  'help',
  'oncall',
  'cover',
  'snooze',
];

const ALIASES: Record<CommandName, readonly string[]> = {
  claim: ['claim', 'ack', '认领', '接'],
  resolve: ['resolve', 'close', '关闭', '解决'],
  escalate: ['escalate', '升级'],
  reassign: ['reassign', '转派', '指派'],
  mute: ['mute', '静默'],
  unmute: ['unmute', '取消静默'],
  list: ['list', 'ls', '列表'],
  show: ['show', '详情', '查看'],
  help: ['help', '帮助', '?', '？'],
  stats: ['stats', '统计'],
  oncall: ['oncall', 'on-call', '值班'],
  cover: ['cover', '代班'],
  snooze: ['snooze', '延后'],
};

/** Verbs compare NFKC-folded and lower-cased: `CLAIM`, `ｃｌａｉｍ`, `？` all match. */
function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

const VERBS = new Map<string, CommandName>();
for (const name of COMMAND_NAMES) for (const alias of ALIASES[name]) VERBS.set(fold(alias), name);

/** Chinese verbs that may be written without a space before their argument, longest first. */
const GLUED_VERBS: ReadonlyArray<{ alias: string; name: CommandName }> = COMMAND_NAMES.flatMap((name) =>
  ALIASES[name].filter((a) => /[\u4e00-\u9fff]/.test(a)).map((alias) => ({ alias, name })),
).sort((a, b) => b.alias.length - a.alias.length);

const SCOPES = new Map<string, 'mine' | 'open' | 'team'>([
  ['mine', 'mine'],
  ['我的', 'mine'],
  ['open', 'open'],
  ['未处理', 'open'],
  ['team', 'team'],
  ['团队', 'team'],
]);

/** One usage line, the locale's verbs first: `用法：认领 <编号>（claim <id>）`. */
export function usage(name: CommandName | OtherCommand, locale: Locale): string {
  const t = textsOf(locale);
  if (isOtherCommand(name)) return OTHER_HELP[name].map((h) => (locale === 'en' ? t.usage(h.form.en, h.form.zh) : t.usage(h.form.zh, h.form.en))).join('\n');
  const f = FORMS[name];
  const line = locale === 'en' ? t.usage(f.en, f.zh) : t.usage(f.zh, f.en);
  return name === 'mute' || name === 'cover' ? line + t.muteExamples : line;
}

/** A heading line, then every command on its own line. */
export function helpText(locale: Locale): string {
  const t = textsOf(locale);
  const lines = COMMAND_NAMES.map((name) => {
    const f = FORMS[name];
    const d = DESCRIPTIONS[name];
    return locale === 'en' ? t.help(f.en, f.zh, d.en) : t.help(f.zh, f.en, d.zh);
  });
  const others = OTHER_COMMANDS.flatMap((name) =>
    OTHER_HELP[name].map((h) => (locale === 'en' ? t.help(h.form.en, h.form.zh, h.what.en) : t.help(h.form.zh, h.form.en, h.what.zh))),
  );
  return [t.heading, ...lines, ...others].join('\n');
}

/** The first lines of the help (heading and the everyday commands) and where to find the rest. */
function shortHelp(locale: Locale): string {
  const t = textsOf(locale);
  return [...helpText(locale).split('\n').slice(0, 4), t.more].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Scanning

/** Zero-width characters chat clients leave around mentions. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
const WS = /\s/;
/** How far a `<…>` token may reach before it is taken as plain text. */
const MAX_BRACKET = 256;

function isWs(s: string, i: number): boolean {
  return WS.test(s.charAt(i));
}

function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s, i)) i++;
  return i;
}

/** End of the whitespace-delimited word at `i`. */
function wordEnd(s: string, i: number): number {
  while (i < s.length && !isWs(s, i)) i++;
  return i;
}

/** End of the token at `i`: a Slack `<…>` (which may hold spaces: `<@U1|Ann Lee>`) or a word. */
function tokenEnd(s: string, i: number): number {
  if (s.charAt(i) === '<') {
    const limit = Math.min(s.length, i + MAX_BRACKET);
    for (let j = i + 1; j < limit; j++) {
      const c = s.charAt(j);
      if (c === '>') return j + 1;
      if (c === '\n' || c === '<') break;
    }
  }
  return wordEnd(s, i);
}

/** The first token of `s` and everything after it (untrimmed). */
function firstToken(s: string): { tok: string; rest: string } {
  const i = skipWs(s, 0);
  const end = tokenEnd(s, i);
  return { tok: s.slice(i, end), rest: s.slice(end) };
}

/** Index after the leading bot mentions (`@dutybot`, `＠机器人`, `<@UBOT>`, `<@UBOT|dutybot>`). */
function skipMentions(s: string): number {
  let i = skipWs(s, 0);
  for (;;) {
    const c = s.charAt(i);
    if (c === '@' || c === '＠') {
      i = skipWs(s, wordEnd(s, i));
    } else if (c === '<' && s.charAt(i + 1) === '@') {
      const end = tokenEnd(s, i);
      if (s.charAt(end - 1) !== '>') return i;
      i = skipWs(s, end);
    } else {
      return i;
    }
  }
}

/** Tokens quoted in messages are cut, so a pasted novel does not come back whole. */
function quote(s: string): string {
  const chars = Array.from(s.trim());
  return chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : chars.join('');
}

// ---------------------------------------------------------------------------------------------
// Arguments

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
function withRef(
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

// ---------------------------------------------------------------------------------------------
// Parser

/** The verb a word starts with and how many characters it takes (`认领12` → claim, 2). */
function matchVerb(word: string): { name: CommandName; length: number } | null {
  const exact = VERBS.get(fold(word));
  if (exact) return { name: exact, length: word.length };
  for (const g of GLUED_VERBS) {
    if (!word.startsWith(g.alias)) continue;
    const tail = word.slice(g.alias.length);
    // A one-character verb (接) only before an id, so 接手 / 接口 are not commands.
    if (g.alias.length < 2 && !/^[#＃0-9０-９]/.test(tail)) continue;
    return { name: g.name, length: g.alias.length };
  }
  return null;
}

/** Parses one chat command. Never throws; errors and usage are in `opts.locale` (default zh). */
export function parseCommand(text: string, opts: { quotedAlertRef?: string; locale?: Locale } = {}): ParseResult {
  const locale: Locale = opts?.locale === 'en' ? 'en' : 'zh';
  const t = textsOf(locale);
  const s = typeof text === 'string' ? text.replace(INVISIBLE, '') : '';

  const start = skipMentions(s);
  if (start >= s.length) return { ok: false, error: t.empty, usage: shortHelp(locale) };

  const end = wordEnd(s, start);
  const word = s.slice(start, end);
  const verb = matchVerb(word);
  if (!verb) return { ok: false, error: t.unknown(quote(word)), usage: shortHelp(locale) };
  const name = verb.name;
  const argStart = start + verb.length;

  const args = s.slice(argStart);
  switch (name) {
    case 'list': {
      const { tok, rest } = firstToken(args);
      if (!tok) return { ok: true, command: { name, scope: 'open' } };
      const scope = SCOPES.get(fold(tok));
      const fail = (error: string): ParseResult => ({ ok: false, error, usage: usage(name, locale) });
      if (!scope) return fail(t.badScope(quote(tok)));
      const extra = rest.trim();
      if (extra) return fail(t.extra(quote(extra)));
      return { ok: true, command: { name, scope } };
    }
    case 'stats':
      return parseStats(args, t, locale);
    case 'help': {
      // Words after the topic are ignored: `help mute 12` still shows mute's help.
      const { tok } = firstToken(args);
      if (!tok) return { ok: true, command: { name } };
      // Another parser's exact verb first: `代班列表` is the overrides list, not `代班` glued to text.
      const topic = otherCommandOf(tok) ?? matchVerb(tok)?.name;
      if (!topic) return { ok: false, error: t.unknown(quote(tok)), usage: shortHelp(locale) };
      return { ok: true, command: { name, topic } };
    }
    case 'oncall': {
      const { tok, rest } = firstToken(args);
      const extra = rest.trim();
      if (extra) return { ok: false, error: t.extra(quote(extra)), usage: usage(name, locale) };
      return { ok: true, command: tok ? { name, team: tok.replace(/^[@＠]/, '') } : { name } };
    }
    case 'cover':
      return parseCover(args, t, locale);
    default: {
      const quotedRef = typeof opts?.quotedAlertRef === 'string' ? normaliseRef(opts.quotedAlertRef) : null;
      return withRef(name, args, quotedRef, t, locale);
    }
  }
}

/** `7d`, `30d`, `7天`, `30日`, `７ｄ`; null when the token is no period at all. */
const PERIOD = /^(\d{1,4})\s*(d|day|days|天|日)?$/;

/** `stats [team] [7d|30d]`, in either order; a number-like token is always read as a period. */
function parseStats(args: string, t: Texts, locale: Locale): ParseResult {
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
function parseCover(args: string, t: Texts, locale: Locale): ParseResult {
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
