import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/bot/commands.js';

describe('stats|统计 [team] [7d|30d]', () => {
  it.each([
    ['stats', { name: 'stats', days: 7 }],
    ['统计', { name: 'stats', days: 7 }],
    ['统计 30天', { name: 'stats', days: 30 }],
    ['统计30天', { name: 'stats', days: 30 }],
    ['@dutybot stats ops 30d', { name: 'stats', team: 'ops', days: 30 }],
    ['STATS 7d ops', { name: 'stats', team: 'ops', days: 7 }],
    ['统计 运维 ７天', { name: 'stats', team: '运维', days: 7 }],
  ])('%s', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['stats 14d', 'en', 'invalid period "14d": use 7d or 30d', 'usage: stats [team] [7d|30d] (统计 [团队] [7天|30天])'],
    ['统计 ops 3周', 'zh', '无效的统计周期 "3周"，应为 7天 或 30天', '用法：统计 [团队] [7天|30天]（stats [team] [7d|30d]）'],
    ['stats ops 30d extra', 'en', 'unexpected text "extra"', 'usage: stats [team] [7d|30d] (统计 [团队] [7天|30天])'],
  ] as const)('a bad period answers with the right form: %s', (text, locale, error, usage) => {
    expect(parseCommand(text, { locale })).toEqual({ ok: false, error, usage });
  });
});
