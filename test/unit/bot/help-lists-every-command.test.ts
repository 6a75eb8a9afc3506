import { describe, expect, it } from 'vitest';
import type { CommandRequest } from '../../../src/bot/chat-adapter.js';
import { HEARTBEAT_PAUSE_VERB, helpText, OTHER_COMMANDS, OTHER_VERBS, parseCommand, usage, type CommandName } from '../../../src/bot/commands.js';
import { OpsCommands } from '../../../src/bot/ops-commands.js';
import { RunCommand } from '../../../src/bot/run-command.js';
import { parseConfig } from '../../../src/config/load.js';
import { RemediationState } from '../../../src/store/remediation-state.js';
import { RemediationActions } from '../../../src/notify/webhooks/remediation.js';
import type { Runtime } from '../../../src/runtime.js';
import { FakeClock } from '../../support/clock.js';

/**
 * `help` is the one list of commands: the alert grammar's (src/bot/commands.ts) and those with
 * parsers of their own (heartbeats, maintenance, remediation). Each parser reads its verbs from
 * that list, so a command cannot be answered and missing from help.
 */
const GRAMMAR: CommandName[] = ['claim', 'resolve', 'escalate', 'reassign', 'mute', 'unmute', 'list', 'show', 'help', 'stats', 'oncall', 'cover', 'snooze'];

const command = (text: string): CommandRequest => ({
  kind: 'command',
  text,
  platform: 'slack',
  userId: 'U0NOBODY',
  channel: 'C1',
  replyTo: { platform: 'slack', channel: 'C1' } as CommandRequest['replyTo'],
});

describe('help lists every command, in both languages', () => {
  it.each(['zh', 'en'] as const)('%s: every command word of every parser is on a help line, with its other-language form', (locale) => {
    const help = helpText(locale);
    const lines = help.split('\n');
    // The grammar's own words, as the help shows them ("认领 <编号>（claim <id>）").
    for (const name of GRAMMAR) {
      const own = usage(name, locale).replace(/^(用法：|usage: )/, '').split(/[（(]/)[0]!.trim();
      expect(lines.some((l) => l.startsWith(own)), name).toBe(true);
    }
    // The words of the parsers of their own: the first English and the first Chinese verb of each.
    for (const name of OTHER_COMMANDS) {
      const en = OTHER_VERBS[name].find((v) => /^[a-z]/.test(v))!;
      const zh = OTHER_VERBS[name].find((v) => /[\u4e00-\u9fff]/.test(v))!;
      const own = locale === 'en' ? en : zh;
      expect(lines.some((l) => l.startsWith(own)), `${name} starts a ${locale} line`).toBe(true);
      expect(help, `${name} in the other language`).toContain(locale === 'en' ? `(${zh}` : `（${en}`);
    }
    // Subcommands people would otherwise not find.
    for (const w of locale === 'en' ? ['heartbeat pause', 'maint list', 'maint end', 'run <action> <id>'] : ['心跳 暂停', '维护 列表', '维护 结束', '执行 <动作> <编号>']) {
      expect(help).toContain(w);
    }
    // And the words the fuller list replaces: stats, on-call, cover, snooze (parsed here, answered elsewhere).
    for (const w of locale === 'en' ? ['stats', 'oncall', 'cover', 'snooze'] : ['统计', '值班', '代班', '延后']) expect(help).toContain(w);
  });

  it('every verb of a parser of its own is a help topic, and none is taken by the alert grammar', () => {
    for (const name of OTHER_COMMANDS) {
      for (const verb of OTHER_VERBS[name]) {
        expect(parseCommand(`help ${verb}`), verb).toEqual({ ok: true, command: { name: 'help', topic: name } });
        expect(parseCommand(verb).ok, `${verb} is not an alert command`).toBe(false);
      }
      expect(usage(name, 'en')).toMatch(/^usage: /);
    }
    expect(usage('maint', 'zh').split('\n')).toEqual([
      '用法：维护 <匹配条件|all> <时长|到 23:00> [原因]（maint <matchers|all> <duration|until 23:00> [reason]）',
      '用法：维护 列表（maint list）',
      '用法：维护 结束 <编号>（maint end <id>）',
    ]);
    expect(parseCommand(`帮助 ${HEARTBEAT_PAUSE_VERB}`)).toEqual({ ok: true, command: { name: 'help', topic: 'heartbeats' } });
  });

  it('every verb help lists for the parsers of their own is answered by them (the list is not a promise nobody keeps)', async () => {
    const clock = new FakeClock('2026-11-24T02:00:00Z');
    const rt = { clock } as unknown as Runtime; // no heartbeats or maintenance configured: they say so
    const ops = new OpsCommands(rt, 'UTC');
    for (const verb of [...OTHER_VERBS.heartbeats, ...OTHER_VERBS.maint, HEARTBEAT_PAUSE_VERB]) {
      expect(await ops.handle(command(`@dutybot ${verb}`), undefined, 'en'), verb).not.toBeNull();
    }
    const config = { ...parseConfig(JSON.stringify({ integrations: [], members: [], teams: [] }), {}), generated: false };
    // No actions configured: `run` answers its usage before it could reach approvals' state.
    const run = new RunCommand(new RemediationActions({ config } as unknown as Runtime, undefined as unknown as RemediationState));
    for (const verb of OTHER_VERBS.run) {
      expect((await run.handle(command(verb), undefined, 'en'))?.text, verb).toMatch(/^usage: run <action> <id>/);
    }
    expect(await ops.handle(command('claim 12'), undefined, 'en')).toBeNull();
    expect(await run.handle(command('claim 12'), undefined, 'en')).toBeNull();
  });
});
