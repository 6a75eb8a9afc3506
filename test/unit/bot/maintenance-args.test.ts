import { describe, expect, it } from 'vitest';
import { parseMaintArgs } from '../../../src/bot/maintenance-args.js';

const now = new Date('2026-11-27T06:00:00Z'); // 14:00 in Shanghai
const parse = (s: string) => parseMaintArgs(s, now, 'Asia/Shanghai');

describe('maint / 维护 arguments', () => {
  it('matchers, a duration and a reason', () => {
    expect(parse('host=db-1 2h kernel upgrade')).toEqual({
      ok: true,
      match: { labels: ['host=db-1'] },
      all: false,
      endsAt: new Date('2026-11-27T08:00:00Z'),
      reason: 'kernel upgrade',
    });
  });
  it('hostgroup= and 到 23:00 (today, in the zone), Chinese reason', () => {
    expect(parse('hostgroup=mysql 到 23:00 迁移')).toMatchObject({ ok: true, match: { hostGroup: ['mysql'] }, endsAt: new Date('2026-11-27T15:00:00Z'), reason: '迁移' });
    expect(parse('hostgroup=mysql 到23:00')).toMatchObject({ ok: true, endsAt: new Date('2026-11-27T15:00:00Z') });
  });
  it('an end time already past today means tomorrow', () => {
    expect(parse('host=db-1 until 09:00')).toMatchObject({ ok: true, endsAt: new Date('2026-11-28T01:00:00Z') });
  });
  it('all, severity= and integration= are the routes\' matchers', () => {
    expect(parse('all 30分钟')).toMatchObject({ ok: true, all: true, match: {} });
    expect(parse('integration=prometheus severity=warning 1h')).toMatchObject({ ok: true, match: { integration: ['prometheus'], severity: ['warning'] } });
  });
  it('refuses no matcher without all, no end, more than 7 days, and a garbled end', () => {
    expect(parse('2h')).toMatchObject({ ok: false, error: { en: expect.stringMatching(/all/) } });
    expect(parse('host=db-1')).toMatchObject({ ok: false, error: { en: expect.stringMatching(/missing a duration/) } });
    expect(parse('host=db-1 8d')).toMatchObject({ ok: false });
    expect(parse('host=db-1 2026-12-30 08:00')).toMatchObject({ ok: false, error: { en: 'a window from chat lasts at most 7 days' } });
    expect(parse('host=db-1 until 25:00')).toMatchObject({ ok: false });
    expect(parse('severity!=info 1h')).toMatchObject({ ok: false, error: { en: 'severity takes only =' } });
  });
});

describe('maint severities', () => {
  it('refuses a severity that does not exist', () => {
    expect(parse('severity=bogus 1h')).toMatchObject({ ok: false, error: { en: 'unknown severity "bogus" (critical, warning, info)' } });
  });
});
