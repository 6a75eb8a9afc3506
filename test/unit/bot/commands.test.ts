import { describe, expect, it } from 'vitest';
import type { Locale } from '../../../src/bot/card.js';
import {
  helpText,
  parseCommand,
  usage,
  type Command,
  type CommandName,
  type ParseResult,
} from '../../../src/bot/commands.js';

const HEX = '5f8d0d55b54764421b7156c9';
const M = 60_000;
const H = 60 * M;
const D = 24 * H;

const NAMES: CommandName[] = ['claim', 'resolve', 'escalate', 'reassign', 'mute', 'unmute', 'list', 'show', 'help', 'stats', 'oncall', 'cover', 'snooze'];

function ok(text: string, opts?: { quotedAlertRef?: string; locale?: Locale }): Command {
  const r = parseCommand(text, opts);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got ${r.error}`);
  return r.command;
}

function fail(text: string, opts?: { quotedAlertRef?: string; locale?: Locale }): { error: string; usage: string } {
  const r = parseCommand(text, opts);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(r.command)}`);
  return r;
}

describe('parseCommand: every verb, both languages', () => {
  it.each<[string, Command]>([
    ['claim 12', { name: 'claim', ref: '12' }],
    ['ack 12', { name: 'claim', ref: '12' }],
    ['认领 12', { name: 'claim', ref: '12' }],
    ['接 12', { name: 'claim', ref: '12' }],
    ['resolve 12', { name: 'resolve', ref: '12' }],
    ['close 12 restarted nginx', { name: 'resolve', ref: '12', note: 'restarted nginx' }],
    ['关闭 12 已重启', { name: 'resolve', ref: '12', note: '已重启' }],
    ['解决 12', { name: 'resolve', ref: '12' }],
    ['escalate 12', { name: 'escalate', ref: '12' }],
    ['escalate 12 nobody answers', { name: 'escalate', ref: '12', reason: 'nobody answers' }],
    ['升级 12 没人响应', { name: 'escalate', ref: '12', reason: '没人响应' }],
    ['reassign 12 alice', { name: 'reassign', ref: '12', member: 'alice', mention: false }],
    ['转派 12 @张三', { name: 'reassign', ref: '12', member: '张三', mention: false }],
    ['指派 12 @张三 他负责数据库', { name: 'reassign', ref: '12', member: '张三', mention: false, reason: '他负责数据库' }],
    ['reassign 12 <@U123ABC>', { name: 'reassign', ref: '12', member: 'U123ABC', mention: true }],
    ['reassign 12 <@U123ABC|ann>', { name: 'reassign', ref: '12', member: 'U123ABC', mention: true }],
    [
      'reassign 12 <@U123ABC|Ann Lee> on vacation',
      { name: 'reassign', ref: '12', member: 'U123ABC', mention: true, reason: 'on vacation' },
    ],
    ['mute 12 30m', { name: 'mute', ref: '12', durationMs: 30 * M }],
    ['mute 12 2h', { name: 'mute', ref: '12', durationMs: 2 * H }],
    ['mute 12 24h', { name: 'mute', ref: '12', durationMs: 24 * H }],
    ['mute 12 1d', { name: 'mute', ref: '12', durationMs: D }],
    ['mute 12 90s', { name: 'mute', ref: '12', durationMs: 90_000 }],
    ['mute 12 30 min', { name: 'mute', ref: '12', durationMs: 30 * M }],
    ['mute 12 2 hours', { name: 'mute', ref: '12', durationMs: 2 * H }],
    ['静默 12 30分钟', { name: 'mute', ref: '12', durationMs: 30 * M }],
    ['静默 12 2小时', { name: 'mute', ref: '12', durationMs: 2 * H }],
    ['静默 12 1天', { name: 'mute', ref: '12', durationMs: D }],
    ['静默 12 半小时', { name: 'mute', ref: '12', durationMs: 30 * M }],
    ['unmute 12', { name: 'unmute', ref: '12' }],
    ['取消静默 12', { name: 'unmute', ref: '12' }],
    ['list', { name: 'list', scope: 'open' }],
    ['ls', { name: 'list', scope: 'open' }],
    ['列表', { name: 'list', scope: 'open' }],
    ['list mine', { name: 'list', scope: 'mine' }],
    ['list open', { name: 'list', scope: 'open' }],
    ['list team', { name: 'list', scope: 'team' }],
    ['列表 我的', { name: 'list', scope: 'mine' }],
    ['列表 未处理', { name: 'list', scope: 'open' }],
    ['列表 团队', { name: 'list', scope: 'team' }],
    ['ls MINE', { name: 'list', scope: 'mine' }],
    ['show 12', { name: 'show', ref: '12' }],
    ['详情 12', { name: 'show', ref: '12' }],
    ['查看 12', { name: 'show', ref: '12' }],
    ['help', { name: 'help' }],
    ['帮助', { name: 'help' }],
    ['?', { name: 'help' }],
    ['？', { name: 'help' }],
    ['help mute', { name: 'help', topic: 'mute' }],
    ['help ack', { name: 'help', topic: 'claim' }],
    ['帮助 认领', { name: 'help', topic: 'claim' }],
    ['? 静默', { name: 'help', topic: 'mute' }],
    ['help help', { name: 'help', topic: 'help' }],
    ['help mute 12', { name: 'help', topic: 'mute' }],
  ])('%j', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });
});

describe('parseCommand: ids', () => {
  it.each<[string, string]>([
    ['claim 12', '12'],
    ['claim #12', '12'],
    ['claim ＃12', '12'],
    ['claim ＃１２', '12'],
    ['claim 012', '12'],
    ['claim 999999999999', '999999999999'],
    [`claim ${HEX}`, HEX],
    [`claim ${HEX.toUpperCase()}`, HEX],
    [`claim #${HEX}`, HEX],
  ])('%j → ref %s', (text, ref) => {
    expect(ok(text)).toEqual({ name: 'claim', ref });
  });

  it.each([
    ['认领 abc', '无效的告警编号 "abc"'],
    ['claim -12', '无效的告警编号 "-12"'],
    ['claim 0', '无效的告警编号 "0"'],
    ['claim #', '无效的告警编号 "#"'],
    ['claim 12.5', '无效的告警编号 "12.5"'],
    ['claim 1234567890123', '无效的告警编号 "1234567890123"'],
    ['claim 5f8d0d55b54764421b7156c', '无效的告警编号 "5f8d0d55b54764421b7156c"'],
    ['claim 12;', '无效的告警编号 "12;"'],
    ['claim', '缺少告警编号'],
    ['认领', '缺少告警编号'],
    ['resolve', '缺少告警编号'],
    ['关闭 已经处理好了', '缺少告警编号'],
    ['关闭 -3 已处理', '无效的告警编号 "-3"'],
    ['mute 2h', '缺少告警编号'],
    ['reassign @张三', '缺少告警编号'],
  ])('%j → %s', (text, error) => {
    expect(fail(text).error).toBe(error);
  });
});

describe('parseCommand: whitespace, case and mentions', () => {
  it.each<[string, Command]>([
    ['  claim 12  ', { name: 'claim', ref: '12' }],
    ['CLAIM 12', { name: 'claim', ref: '12' }],
    ['Claim #12', { name: 'claim', ref: '12' }],
    ['ｃｌａｉｍ 12', { name: 'claim', ref: '12' }],
    ['claim    12', { name: 'claim', ref: '12' }],
    ['claim\t12', { name: 'claim', ref: '12' }],
    ['\n claim 12 \n', { name: 'claim', ref: '12' }],
    ['认领\u300012', { name: 'claim', ref: '12' }],
    ['\u3000\u3000认领\u3000\u3000＃12\u3000', { name: 'claim', ref: '12' }],
    ['claim\u200b 12', { name: 'claim', ref: '12' }],
    ['<@U1> claim 12', { name: 'claim', ref: '12' }],
    ['<@UBOT|dutybot> claim 12', { name: 'claim', ref: '12' }],
    ['<@UBOT|duty bot> claim 12', { name: 'claim', ref: '12' }],
    ['@dutybot claim 12', { name: 'claim', ref: '12' }],
    ['@dutybot\u2005认领 12', { name: 'claim', ref: '12' }],
    ['＠值班机器人 认领 12', { name: 'claim', ref: '12' }],
    ['@dutybot <@U1> @other 认领 12', { name: 'claim', ref: '12' }],
    ['RESOLVE 12 Disk Cleaned', { name: 'resolve', ref: '12', note: 'Disk Cleaned' }],
    ['resolve 12   two  spaces  kept  ', { name: 'resolve', ref: '12', note: 'two  spaces  kept' }],
    ['resolve 12 line one\nline two', { name: 'resolve', ref: '12', note: 'line one\nline two' }],
    ['MUTE 12 2H', { name: 'mute', ref: '12', durationMs: 2 * H }],
  ])('%j', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });
});

describe('parseCommand: Chinese verbs glued to the id', () => {
  it.each<[string, Command]>([
    ['认领12', { name: 'claim', ref: '12' }],
    ['认领#12', { name: 'claim', ref: '12' }],
    ['认领＃12', { name: 'claim', ref: '12' }],
    ['认领 #12', { name: 'claim', ref: '12' }],
    ['接12', { name: 'claim', ref: '12' }],
    ['接#12', { name: 'claim', ref: '12' }],
    ['关闭12 已重启', { name: 'resolve', ref: '12', note: '已重启' }],
    ['关闭12已重启', { name: 'resolve', ref: '12', note: '已重启' }],
    ['关闭#12，已重启', { name: 'resolve', ref: '12', note: '，已重启' }],
    ['解决12', { name: 'resolve', ref: '12' }],
    ['升级12 没人理', { name: 'escalate', ref: '12', reason: '没人理' }],
    ['转派12 @李四', { name: 'reassign', ref: '12', member: '李四', mention: false }],
    ['静默12 2小时', { name: 'mute', ref: '12', durationMs: 2 * H }],
    ['静默12 半小时', { name: 'mute', ref: '12', durationMs: 30 * M }],
    ['取消静默12', { name: 'unmute', ref: '12' }],
    ['详情12', { name: 'show', ref: '12' }],
    ['查看#12', { name: 'show', ref: '12' }],
    ['列表我的', { name: 'list', scope: 'mine' }],
    ['帮助认领', { name: 'help', topic: 'claim' }],
    [`认领${HEX}`, { name: 'claim', ref: HEX }],
  ])('%j', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each(['接手', '接口有问题', '取消', 'claim12', 'claim#12'])('%j is not a command', (text) => {
    expect(fail(text).error).toBe(`未知命令 "${text}"`);
  });
});

describe('parseCommand: quoted card', () => {
  const q = { quotedAlertRef: '#5' };

  it.each<[string, Command]>([
    ['认领', { name: 'claim', ref: '5' }],
    ['claim', { name: 'claim', ref: '5' }],
    ['关闭', { name: 'resolve', ref: '5' }],
    ['关闭 已处理', { name: 'resolve', ref: '5', note: '已处理' }],
    ['关闭已处理', { name: 'resolve', ref: '5', note: '已处理' }],
    ['resolve fixed it', { name: 'resolve', ref: '5', note: 'fixed it' }],
    ['升级 没人响应', { name: 'escalate', ref: '5', reason: '没人响应' }],
    ['转派 @张三', { name: 'reassign', ref: '5', member: '张三', mention: false }],
    ['reassign <@U9> busy', { name: 'reassign', ref: '5', member: 'U9', mention: true, reason: 'busy' }],
    ['静默 2小时', { name: 'mute', ref: '5', durationMs: 2 * H }],
    ['静默 半小时', { name: 'mute', ref: '5', durationMs: 30 * M }],
    ['mute 30 min', { name: 'mute', ref: '5', durationMs: 30 * M }],
    ['取消静默', { name: 'unmute', ref: '5' }],
    ['详情', { name: 'show', ref: '5' }],
    ['@dutybot 认领', { name: 'claim', ref: '5' }],
    // A written id wins over the quoted card.
    ['认领 12', { name: 'claim', ref: '12' }],
    ['关闭12 已重启', { name: 'resolve', ref: '12', note: '已重启' }],
    ['mute 12 2h', { name: 'mute', ref: '12', durationMs: 2 * H }],
    // `转派 12` quoting #5 cannot reassign #12 to nobody: 12 is the member.
    ['转派 12', { name: 'reassign', ref: '5', member: '12', mention: false }],
  ])('%j', (text, command) => {
    expect(parseCommand(text, q)).toEqual({ ok: true, command });
  });

  it('normalises the quoted ref and ignores one that is not an id', () => {
    expect(ok('认领', { quotedAlertRef: '＃７' })).toEqual({ name: 'claim', ref: '7' });
    expect(ok('认领', { quotedAlertRef: HEX.toUpperCase() })).toEqual({ name: 'claim', ref: HEX });
    expect(fail('认领', { quotedAlertRef: 'garbage' }).error).toBe('缺少告警编号');
    expect(fail('认领', { quotedAlertRef: '' }).error).toBe('缺少告警编号');
  });

  it('still refuses what is wrong either way, with the written id\'s error', () => {
    expect(fail('认领 12 13', q).error).toBe('多余的内容 "13"');
    expect(fail('认领 abc', q).error).toBe('多余的内容 "abc"');
    expect(fail('mute 12 99d', q).error).toBe('无效的静默时长 "99d"，应为 1分钟 到 7天');
    expect(fail('静默', q).error).toBe('缺少静默时长');
    expect(fail('转派', q).error).toBe('缺少成员');
  });

  it('is irrelevant to list and help', () => {
    expect(ok('列表', q)).toEqual({ name: 'list', scope: 'open' });
    expect(ok('帮助', q)).toEqual({ name: 'help' });
  });
});

describe('parseCommand: refusals carry the recognised command\'s usage', () => {
  it.each<[string, string, CommandName]>([
    ['claim 12 13', '多余的内容 "13"', 'claim'],
    ['claim 12 extra words here', '多余的内容 "extra words here"', 'claim'],
    ['claim 12; DROP TABLE alerts', '无效的告警编号 "12;"', 'claim'],
    ["claim 12' OR '1'='1", '无效的告警编号 "12\'"', 'claim'],
    ["claim 12 ' OR '1'='1", '多余的内容 "\' OR \'1\'=\'1"', 'claim'],
    ['认领12 13', '多余的内容 "13"', 'claim'],
    ['unmute 12 now', '多余的内容 "now"', 'unmute'],
    ['show 12 13', '多余的内容 "13"', 'show'],
    ['mute 12', '缺少静默时长', 'mute'],
    ['mute 12 0m', '无效的静默时长 "0m"，应为 1分钟 到 7天', 'mute'],
    ['mute 12 99d', '无效的静默时长 "99d"，应为 1分钟 到 7天', 'mute'],
    ['mute 12 30s', '无效的静默时长 "30s"，应为 1分钟 到 7天', 'mute'],
    ['mute 12 -5m', '无效的静默时长 "-5m"，应为 1分钟 到 7天', 'mute'],
    ['mute 12 30', '无效的静默时长 "30"，应为 1分钟 到 7天', 'mute'],
    ['mute 12 forever', '无效的静默时长 "forever"，应为 1分钟 到 7天', 'mute'],
    ['mute 30 min', '无效的静默时长 "min"，应为 1分钟 到 7天', 'mute'],
    ['静默12', '缺少静默时长', 'mute'],
    ['reassign 12', '缺少成员', 'reassign'],
    ['reassign 12 @', '无效的成员 "@"', 'reassign'],
    ['reassign 12 <@>', '无效的成员 "<@>"', 'reassign'],
    ['reassign 12 <#C123|general>', '无效的成员 "<#C123|general>"', 'reassign'],
    ['list everything', '未知的范围 "everything"', 'list'],
    ['list mine now', '多余的内容 "now"', 'list'],
    ['列表 全部', '未知的范围 "全部"', 'list'],
  ])('%j → %s', (text, error, name) => {
    expect(parseCommand(text)).toEqual({ ok: false, error, usage: usage(name, 'zh') });
  });
});

describe('parseCommand: unknown and empty', () => {
  const shortHelpZh = fail('').usage;

  it.each(['', '   ', '\u3000\u3000', '\n\t', '@dutybot', '<@UBOT>', '@dutybot   <@U1>  ', '\u200b'])(
    'empty %j',
    (text) => {
      const r = fail(text);
      expect(r.error).toBe('请输入命令');
      expect(r.usage).toBe(shortHelpZh);
    },
  );

  it('the short help is the first lines of the full help', () => {
    const lines = shortHelpZh.split('\n');
    const help = helpText('zh').split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(0, -1)).toEqual(help.slice(0, lines.length - 1));
    expect(lines.at(-1)).toContain('帮助');
  });

  it.each([
    ['xyz', '未知命令 "xyz"'],
    ['xyz 12', '未知命令 "xyz"'],
    ['🔥🔥🔥', '未知命令 "🔥🔥🔥"'],
    ['🔥 claim 12', '未知命令 "🔥"'],
    ['12', '未知命令 "12"'],
    ['#12', '未知命令 "#12"'],
    ['/alert claim 12', '未知命令 "/alert"'],
    ["'; DROP TABLE alerts; --", '未知命令 "\';"'],
    ['SELECT * FROM alerts', '未知命令 "SELECT"'],
    ['{"$gt": ""}', '未知命令 "{"$gt":"'],
    ['help xyz', '未知命令 "xyz"'],
  ])('%j → %s', (text, error) => {
    const r = fail(text);
    expect(r.error).toBe(error);
    expect(r.usage).toBe(shortHelpZh);
  });

  it('cuts a very long unknown word in the error', () => {
    const r = fail('x'.repeat(100_000));
    expect(r.error.length).toBeLessThan(60);
    expect(r.error).toContain('…');
  });
});

describe('parseCommand: locale', () => {
  it('answers in English when asked', () => {
    expect(parseCommand('claim', { locale: 'en' })).toEqual({
      ok: false,
      error: 'missing alert id',
      usage: 'usage: claim <id> (认领 <编号>)',
    });
    expect(fail('xyz', { locale: 'en' }).error).toBe('unknown command "xyz"');
    expect(fail('', { locale: 'en' }).error).toBe('empty command');
    expect(fail('claim abc', { locale: 'en' }).error).toBe('invalid alert id "abc"');
    expect(fail('claim 12 13', { locale: 'en' }).error).toBe('unexpected text "13"');
    expect(fail('mute 12 99d', { locale: 'en' }).error).toBe('invalid duration "99d": use 1 min to 7 days');
    expect(fail('mute 12', { locale: 'en' }).error).toBe('missing duration');
    expect(fail('reassign 12', { locale: 'en' }).error).toBe('missing member');
    expect(fail('list all', { locale: 'en' }).error).toBe('unknown scope "all"');
    expect(fail('', { locale: 'en' }).usage.split('\n')[0]).toBe(helpText('en').split('\n')[0]);
  });

  it('defaults to Chinese; the locale does not change what parses', () => {
    expect(fail('认领').error).toBe('缺少告警编号');
    expect(fail('认领', {}).usage).toBe('用法：认领 <编号>（claim <id>）');
    expect(ok('认领12', { locale: 'en' })).toEqual(ok('claim 12', { locale: 'zh' }));
  });
});

describe('usage and helpText', () => {
  it('shows both languages, the locale first', () => {
    expect(usage('claim', 'zh')).toBe('用法：认领 <编号>（claim <id>）');
    expect(usage('claim', 'en')).toBe('usage: claim <id> (认领 <编号>)');
    expect(usage('resolve', 'zh')).toBe('用法：关闭 <编号> [备注]（resolve <id> [note]）');
    expect(usage('mute', 'en')).toMatch(/^usage: mute <id> <duration> \(静默 <编号> <时长>\)/);
  });

  it.each(NAMES)('%s has a one-line usage in both languages', (name) => {
    for (const locale of ['zh', 'en'] as const) {
      const u = usage(name, locale);
      expect(u).not.toContain('\n');
      expect(u.startsWith(locale === 'zh' ? '用法：' : 'usage: ')).toBe(true);
    }
  });

  it.each(['zh', 'en'] as const)('%s help lists every command on its own line', (locale) => {
    const lines = helpText(locale).split('\n');
    // The heading, one line per command here, and fourteen for the commands with parsers of their own
    // (heartbeats ×2, maint ×3, run, calendar ×2, page, overrides ×2, swap ×3: test/unit/bot/help-lists-every-command.test.ts).
    expect(lines).toHaveLength(NAMES.length + 1 + 14);
    for (const name of NAMES) {
      const u = usage(name, locale).replace(/^(用法：|usage: )/, '').split(/[（(]/)[0]!.trim();
      expect(lines.some((l) => l.startsWith(u))).toBe(true);
    }
  });

  it('every help line starts with a command that parses as that command', () => {
    const examples: Record<CommandName, string> = {
      claim: '认领 12',
      resolve: '关闭 12 备注',
      escalate: '升级 12',
      reassign: '转派 12 @张三',
      mute: '静默 12 2h',
      unmute: '取消静默 12',
      list: '列表',
      show: '详情 12',
      help: '帮助',
      stats: '统计 ops 30天',
      oncall: '值班',
      cover: '代班 我 2小时',
      snooze: '延后 12 30分钟',
    };
    for (const name of NAMES) expect(ok(examples[name]).name).toBe(name);
  });
});

/** mulberry32: a tiny seeded generator, so a failure can be reproduced. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  ...['claim', 'ack', '认领', '接', 'resolve', '关闭', '解决', 'escalate', '升级', 'reassign', '转派', '指派'],
  ...['mute', '静默', 'unmute', '取消静默', 'list', 'ls', '列表', 'show', '详情', '查看', 'help', '帮助', '?', '？'],
  ...['mine', '我的', '团队', '12', '#12', '＃12', '０', '-1', HEX, '30m', '2小时', '半小时', '99d', '1.5h'],
  ...['@', '＠', '@张三', '<@U1>', '<@U1|a b>', '<', '>', '|', '<@', ' ', '  ', '\u3000', '\n', '\t', '\u200b'],
  ...['🔥', '\ud83d', '\udd25', '\u0000', '"', "'", ';', '--', '$gt', '{', '}', '\\', '%', '…', 'a', 'Z', '个', '十'],
];

function randomText(next: () => number): string {
  const n = Math.floor(next() * 12);
  let s = '';
  for (let i = 0; i < n; i++) {
    if (next() < 0.2) s += String.fromCharCode(Math.floor(next() * 0xffff));
    else s += PIECES[Math.floor(next() * PIECES.length)] ?? '';
  }
  return s;
}

function assertWellFormed(r: ParseResult): void {
  if (r.ok) {
    expect(NAMES).toContain(r.command.name);
    if ('ref' in r.command) expect(r.command.ref).toMatch(/^(?:[1-9]\d{0,11}|[0-9a-f]{24})$/);
    if (r.command.name === 'mute') {
      expect(r.command.durationMs).toBeGreaterThanOrEqual(M);
      expect(r.command.durationMs).toBeLessThanOrEqual(7 * D);
    }
    if (r.command.name === 'reassign') expect(r.command.member.length).toBeGreaterThan(0);
  } else {
    expect(r.error.length).toBeGreaterThan(0);
    expect(r.usage.length).toBeGreaterThan(0);
  }
}

describe('parseCommand never throws', () => {
  it('on 5000 seeded random strings, in both locales, with and without a quoted card', () => {
    const next = rng(20240611);
    let parsed = 0;
    for (let i = 0; i < 5000; i++) {
      const text = randomText(next);
      const opts = {
        locale: (next() < 0.5 ? 'zh' : 'en') as Locale,
        ...(next() < 0.3 ? { quotedAlertRef: next() < 0.8 ? '#5' : randomText(next) } : {}),
      };
      let r: ParseResult;
      try {
        r = parseCommand(text, opts);
      } catch (e) {
        throw new Error(`parseCommand threw on ${JSON.stringify({ text, opts })}: ${String(e)}`);
      }
      assertWellFormed(r);
      if (r.ok) parsed++;
    }
    // The generator reaches both sides of the grammar, not only refusals.
    expect(parsed).toBeGreaterThan(100);
    expect(parsed).toBeLessThan(4900);
  });

  it.each([
    ['a very long note', `关闭 12 ${'很长的备注'.repeat(20_000)}`],
    ['a very long word', 'x'.repeat(200_000)],
    ['many mentions', '@a '.repeat(50_000) + 'claim 12'],
    ['many unclosed slack mentions', '<@U1 '.repeat(50_000)],
    ['many brackets', '<'.repeat(100_000)],
    ['a long duration', `mute 12 ${'1h'.repeat(50_000)}`],
    ['a long member', `reassign 12 <@${'U'.repeat(100_000)}>`],
    ['only spaces', ' '.repeat(100_000)],
    ['lone surrogates', '认领 \ud83d\udd25\ud83d 12 \udd25'],
  ])('on %s, quickly', (_what, text) => {
    const started = Date.now();
    const r = parseCommand(text);
    assertWellFormed(r);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('on values that are not strings at runtime', () => {
    for (const v of [undefined, null, 12, {}, []]) {
      expect(() => parseCommand(v as unknown as string)).not.toThrow();
      expect(() => parseCommand('claim 12', v as unknown as undefined)).not.toThrow();
    }
  });
});

describe('snooze|延后', () => {
  it.each([
    ['snooze 12 30m', '12', 30 * 60_000],
    ['延后 12 20分钟', '12', 20 * 60_000],
    ['延后12 1小时', '12', 3_600_000],
  ])('%s', (text, ref, durationMs) => {
    expect(parseCommand(text)).toEqual({ ok: true, command: { name: 'snooze', ref, durationMs } });
  });
  it('takes the quoted card when no id is written', () => {
    expect(parseCommand('延后 30分钟', { quotedAlertRef: '5' })).toEqual({ ok: true, command: { name: 'snooze', ref: '5', durationMs: 30 * 60_000 } });
  });
  it('refuses a missing or bad duration with its usage', () => {
    expect(parseCommand('snooze 12')).toMatchObject({ ok: false, usage: expect.stringContaining('snooze <id> <duration>') });
    expect(parseCommand('延后 12 很久')).toMatchObject({ ok: false });
  });
});
