import { describe, expect, it } from 'vitest';
import { formatDuration, MUTE_CHOICES, parseDuration } from '../../../src/bot/durations.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['30m', 30 * M],
    ['2h', 2 * H],
    ['24h', 24 * H],
    ['1d', D],
    ['7d', 7 * D],
    ['1w', 7 * D],
    ['90s', 90 * S],
    ['60s', M],
    ['1m', M],
    ['2H', 2 * H],
    ['30 min', 30 * M],
    ['30 mins', 30 * M],
    ['30 minutes', 30 * M],
    ['1 minute', M],
    ['2 hours', 2 * H],
    ['1 hour', H],
    ['2 hrs', 2 * H],
    ['3 days', 3 * D],
    ['1 day', D],
    ['1h30m', 90 * M],
    ['1h 30m', 90 * M],
    ['1.5h', 90 * M],
    ['.5h', 30 * M],
    ['  2h  ', 2 * H],
    ['２ｈ', 2 * H],
    ['2\u3000hours', 2 * H],
    ['30分钟', 30 * M],
    ['30分', 30 * M],
    ['2小时', 2 * H],
    ['2 小时', 2 * H],
    ['2个小时', 2 * H],
    ['1天', D],
    ['3日', 3 * D],
    ['1周', 7 * D],
    ['半小时', 30 * M],
    ['半个小时', 30 * M],
    ['半个钟头', 30 * M],
    ['半天', 12 * H],
    ['一个半小时', 90 * M],
    ['两个半小时', 150 * M],
    ['1个半小时', 90 * M],
    ['一天半', 36 * H],
    ['两小时', 2 * H],
    ['三十分钟', 30 * M],
    ['二十四小时', 24 * H],
    ['十五分钟', 15 * M],
    ['一百六十八小时', 7 * D],
    ['1小时30分钟', 90 * M],
    ['120秒', 2 * M],
    ['1h' + ' '.repeat(1000), H],
  ])('%j → %i ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    [''],
    ['   '],
    ['30'],
    ['abc'],
    ['0m'],
    ['0'],
    ['30s'],
    ['59s'],
    ['半分钟'],
    ['-5m'],
    ['- 5m'],
    ['8d'],
    ['99d'],
    ['2w'],
    ['169h'],
    ['7d1s'],
    ['1e3h'],
    ['NaN'],
    ['Infinity h'],
    ['99999999999999999999999999h'],
    ['500ms'],
    ['1mo'],
    ['2h because'],
    ['h'],
    ['分钟'],
    ['一二小时'],
    ['半天半'],
    ['2小时半半'],
    ['🔥'],
    ['1h' + ' '.repeat(10_000)],
    ['1h'.repeat(40)],
    ['1h'.repeat(1000)],
    ["1h'; DROP TABLE alerts; --"],
  ])('%j → null', (input) => {
    expect(parseDuration(input)).toBeNull();
  });

  it('accepts both ends of the range and nothing outside', () => {
    expect(parseDuration('1m')).toBe(M);
    expect(parseDuration('7d')).toBe(7 * D);
    expect(parseDuration('10079m')).toBe(10079 * M);
    expect(parseDuration('10081m')).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [30 * M, '30分钟', '30 min'],
    [2 * H, '2小时', '2 h'],
    [D, '1天', '1 day'],
    [3 * D, '3天', '3 days'],
    [36 * H, '36小时', '36 h'],
    [90 * M, '90分钟', '90 min'],
    [90 * S, '90秒', '90 s'],
    [M, '1分钟', '1 min'],
    [0, '0分钟', '0 min'],
    [-5, '0分钟', '0 min'],
    [Number.NaN, '0分钟', '0 min'],
    [Number.POSITIVE_INFINITY, '0分钟', '0 min'],
  ])('%i ms → %s / %s', (ms, zh, en) => {
    expect(formatDuration(ms, 'zh')).toBe(zh);
    expect(formatDuration(ms, 'en')).toBe(en);
  });

  it.each([M, 30 * M, 90 * S, 90 * M, 2 * H, 36 * H, D, 3 * D, 7 * D])('round-trips %i ms in both languages', (ms) => {
    expect(parseDuration(formatDuration(ms, 'zh'))).toBe(ms);
    expect(parseDuration(formatDuration(ms, 'en'))).toBe(ms);
  });
});

describe('MUTE_CHOICES', () => {
  it('are 30 minutes, 2 hours and 24 hours, all valid mutes', () => {
    expect([...MUTE_CHOICES]).toEqual([30 * M, 2 * H, 24 * H]);
    for (const ms of MUTE_CHOICES) expect(parseDuration(formatDuration(ms, 'zh'))).toBe(ms);
  });
});
