import { describe, expect, it } from 'vitest';
import { helpText, parseCommand } from '../../../src/bot/commands.js';

describe('oncall and cover commands', () => {
  it('oncall|值班 [team]', () => {
    expect(parseCommand('oncall')).toEqual({ ok: true, command: { name: 'oncall' } });
    expect(parseCommand('值班 ops')).toEqual({ ok: true, command: { name: 'oncall', team: 'ops' } });
    expect(parseCommand('@dutybot 值班运维')).toEqual({ ok: true, command: { name: 'oncall', team: '运维' } });
    expect(parseCommand('on-call ops now', { locale: 'en' })).toMatchObject({ ok: false, usage: 'usage: oncall [team] (值班 [团队])' });
  });

  it('cover|代班 <member|me> <duration>', () => {
    expect(parseCommand('代班 我 2小时')).toEqual({ ok: true, command: { name: 'cover', mention: false, durationMs: 7_200_000 } });
    expect(parseCommand('cover me 90m')).toEqual({ ok: true, command: { name: 'cover', mention: false, durationMs: 5_400_000 } });
    expect(parseCommand('cover <@U0LI> 1d')).toEqual({ ok: true, command: { name: 'cover', member: 'U0LI', mention: true, durationMs: 86_400_000 } });
    expect(parseCommand('代班 @李四 半小时')).toEqual({ ok: true, command: { name: 'cover', member: '李四', mention: false, durationMs: 1_800_000 } });
  });

  it('a bad or missing duration answers with the right form', () => {
    expect(parseCommand('代班 李四 很久')).toEqual({
      ok: false,
      error: '无效的代班时长 "很久"，应为 1分钟 到 7天',
      usage: '用法：代班 <成员|我> <时长>（cover <member|me> <duration>），时长如 30分钟、2小时、1天',
    });
    expect(parseCommand('cover li', { locale: 'en' })).toMatchObject({ ok: false, error: 'missing duration' });
    expect(parseCommand('cover', { locale: 'en' })).toMatchObject({ ok: false, error: 'missing member' });
  });

  it('help lists both, in both languages', () => {
    expect(helpText('zh')).toContain('值班 [团队]（oncall [team]）— 查看现在和下一位值班的人');
    expect(helpText('en')).toContain('cover <member|me> <duration> (代班 <成员|我> <时长>) — take over on-call from now');
  });
});
