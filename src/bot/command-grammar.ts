import type { OtherCommand } from './other-commands.js';
import { fold } from './command-scan.js';

/** The commands of the alert grammar (src/bot/commands.ts), what each parses to, and their words. */

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
export const COMMAND_NAMES: readonly CommandName[] = [
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

const VERBS = new Map<string, CommandName>();
for (const name of COMMAND_NAMES) for (const alias of ALIASES[name]) VERBS.set(fold(alias), name);

/** Chinese verbs that may be written without a space before their argument, longest first. */
const GLUED_VERBS: ReadonlyArray<{ alias: string; name: CommandName }> = COMMAND_NAMES.flatMap((name) =>
  ALIASES[name].filter((a) => /[\u4e00-\u9fff]/.test(a)).map((alias) => ({ alias, name })),
).sort((a, b) => b.alias.length - a.alias.length);

export const SCOPES = new Map<string, 'mine' | 'open' | 'team'>([
  ['mine', 'mine'],
  ['我的', 'mine'],
  ['open', 'open'],
  ['未处理', 'open'],
  ['team', 'team'],
  ['团队', 'team'],
]);

/** The verb a word starts with and how many characters it takes (`认领12` → claim, 2). */
export function matchVerb(word: string): { name: CommandName; length: number } | null {
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
