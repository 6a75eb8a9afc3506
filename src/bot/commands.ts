import type { Locale } from './card.js';
import { textsOf } from './command-texts.js';
import { normaliseRef, parseCover, parseStats, withRef } from './command-args.js';
import { matchVerb, SCOPES, type ParseResult } from './command-grammar.js';
import { shortHelp, usage } from './command-help.js';
import { firstToken, fold, INVISIBLE, quote, skipMentions, wordEnd } from './command-scan.js';
import { otherCommandOf } from './other-commands.js';

export { normaliseRef } from './command-args.js';
export type { Command, CommandName, ParseResult, StatsDays } from './command-grammar.js';
export { helpText, usage } from './command-help.js';
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
 *
 * Here: the verb and what follows it. The parts: the commands and their words
 * (command-grammar.ts), tokens and mentions (command-scan.ts), the arguments of each command
 * (command-args.ts), usage and help (command-help.ts).
 */

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
