/**
 * Commands answered before the alert grammar (src/bot/commands.ts) by parsers of their own. Their
 * verbs and help lines live here, and those parsers read them from here, so that `help` lists every
 * command a chat answers (test/unit/bot/help-lists-every-command.test.ts fails when one is missing).
 * Split from commands.ts to keep each file to one job.
 */
import { fold } from './command-scan.js';

export interface Form {
  zh: string;
  en: string;
}

export type OtherCommand = 'heartbeats' | 'maint' | 'run' | 'calendar' | 'page' | 'overrides' | 'swap';

export const OTHER_COMMANDS: readonly OtherCommand[] = ['heartbeats', 'maint', 'run', 'calendar', 'page', 'overrides', 'swap'];

export const OTHER_VERBS: Record<OtherCommand, readonly string[]> = {
  heartbeats: ['heartbeats', 'heartbeat', 'hb', '心跳'],
  maint: ['maint', 'maintenance', '维护'],
  run: ['run', '执行'],
  calendar: ['calendar', 'ical', '日历'],
  page: ['page', '呼叫'],
  overrides: ['overrides', 'override', '代班列表', '取消代班'],
  swap: ['swap', '换班'],
};

/** `暂停心跳 <name> <duration>`: the Chinese word order of `heartbeat pause`. */
export const HEARTBEAT_PAUSE_VERB = '暂停心跳';

export const OTHER_HELP: Record<OtherCommand, ReadonlyArray<{ form: Form; what: Form }>> = {
  heartbeats: [
    { form: { zh: '心跳', en: 'heartbeats' }, what: { zh: '列出心跳：最近一次心跳与状态', en: 'list heartbeats: last ping and state' } },
    { form: { zh: '心跳 暂停 <名称> <时长>', en: 'heartbeat pause <name> <duration>' }, what: { zh: '暂停一个心跳（1分钟到7天）', en: 'pause a heartbeat (1 min to 7 days)' } },
  ],
  maint: [
    {
      form: { zh: '维护 <匹配条件|all> <时长|到 23:00> [原因]', en: 'maint <matchers|all> <duration|until 23:00> [reason]' },
      what: { zh: '维护窗口：匹配的告警不发卡片、不呼叫（最长7天）', en: 'a maintenance window: matching alerts post no card and page nobody (up to 7 days)' },
    },
    { form: { zh: '维护 列表', en: 'maint list' }, what: { zh: '列出维护窗口', en: 'list maintenance windows' } },
    { form: { zh: '维护 结束 <编号>', en: 'maint end <id>' }, what: { zh: '提前结束维护窗口', en: 'end a maintenance window now' } },
  ],
  run: [
    {
      form: { zh: '执行 <动作> <编号>', en: 'run <action> <id>' },
      what: { zh: '对告警执行处置动作（只发「执行」列出可用动作）', en: 'run a remediation action on an alert (just "run" lists them)' },
    },
  ],
  calendar: [
    { form: { zh: '日历', en: 'calendar' }, what: { zh: '私下获取你的值班日历订阅链接（iCalendar）', en: 'your on-call calendar feed link (iCalendar), privately' } },
    { form: { zh: '日历 重置', en: 'calendar reset' }, what: { zh: '换一个新链接，旧链接立即失效', en: 'a new link; the old one stops working at once' } },
  ],
  page: [
    {
      form: { zh: '呼叫 <团队|成员|值班表> <原因>', en: 'page <team|member|schedule> <message>' },
      what: { zh: '主动呼叫：开一条告警并按对方的升级策略通知', en: 'page someone on purpose: opens an alert escalated with their policy' },
    },
  ],
  overrides: [
    { form: { zh: '代班列表', en: 'overrides' }, what: { zh: '列出未结束的代班（含编号）', en: 'list covers not yet over, with their ids' } },
    {
      form: { zh: '取消代班 <编号>', en: 'override remove <id>' },
      what: { zh: '取消一次代班（自己的，团队管理员可取消任何人的）', en: "remove a cover (your own; a team admin, anyone's)" },
    },
  ],
  swap: [
    {
      form: { zh: '换班 <成员> <日期|下一班>', en: 'swap <member> <date|next>' },
      what: { zh: '请对方用其最近的班次换你那天开始的班次', en: 'ask someone to trade their nearest shift for yours starting that day' },
    },
    { form: { zh: '换班 同意 <编号>', en: 'swap accept <id>' }, what: { zh: '同意别人向你发起的换班', en: 'accept a swap you were asked for' } },
    { form: { zh: '换班 拒绝 <编号>', en: 'swap decline <id>' }, what: { zh: '拒绝换班，值班不变', en: 'decline a swap; nothing changes' } },
  ],
};

export function isOtherCommand(name: string): name is OtherCommand {
  return (OTHER_COMMANDS as readonly string[]).includes(name);
}

/** The command with a parser of its own that `word` names, if any. */
export function otherCommandOf(word: string): OtherCommand | undefined {
  const w = fold(word);
  return OTHER_COMMANDS.find((name) => OTHER_VERBS[name].some((v) => fold(v) === w)) ?? (w === HEARTBEAT_PAUSE_VERB ? 'heartbeats' : undefined);
}
