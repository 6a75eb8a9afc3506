import type { Locale } from './card.js';
import type { CommandName } from './command-grammar.js';
import type { Form } from './other-commands.js';

/** The words of the alert grammar (src/bot/commands.ts): forms, help lines and errors, in both languages. */


export const FORMS: Record<CommandName, Form> = {
  claim: { zh: '认领 <编号>', en: 'claim <id>' },
  resolve: { zh: '关闭 <编号> [备注]', en: 'resolve <id> [note]' },
  escalate: { zh: '升级 <编号> [原因]', en: 'escalate <id> [reason]' },
  reassign: { zh: '转派 <编号> <成员> [原因]', en: 'reassign <id> <member> [reason]' },
  mute: { zh: '静默 <编号> <时长>', en: 'mute <id> <duration>' },
  unmute: { zh: '取消静默 <编号>', en: 'unmute <id>' },
  list: { zh: '列表 [我的|未处理|团队]', en: 'list [mine|open|team]' },
  show: { zh: '详情 <编号>', en: 'show <id>' },
  help: { zh: '帮助 [命令]', en: 'help [command]' },
  stats: { zh: '统计 [团队] [7天|30天]', en: 'stats [team] [7d|30d]' },
  oncall: { zh: '值班 [团队]', en: 'oncall [team]' },
  cover: { zh: '代班 <成员|我> <时长>', en: 'cover <member|me> <duration>' },
  snooze: { zh: '延后 <编号> <时长>', en: 'snooze <id> <duration>' },
};

export const DESCRIPTIONS: Record<CommandName, Form> = {
  claim: { zh: '认领告警，由你处理', en: 'take the alert on' },
  resolve: { zh: '关闭告警，可附备注', en: 'resolve the alert, with an optional note' },
  escalate: { zh: '升级到下一级值班', en: 'escalate to the next on-call level' },
  reassign: { zh: '转派给其他成员', en: 'hand the alert to someone else' },
  mute: { zh: '静默一段时间（1分钟到7天）', en: 'mute for a while (1 min to 7 days)' },
  unmute: { zh: '取消静默', en: 'end a mute' },
  list: { zh: '列出告警，默认未处理', en: 'list alerts, open ones by default' },
  show: { zh: '查看告警详情', en: 'show one alert' },
  help: { zh: '查看帮助', en: 'show this help' },
  stats: { zh: '告警统计与图表（默认本群团队、近7天）', en: "alert figures and a chart (this channel's team, last 7 days by default)" },
  oncall: { zh: '查看现在和下一位值班的人', en: 'who is on call now, and next' },
  cover: { zh: '从现在起替班一段时间（1分钟到7天）', en: 'take over on-call from now for a while (1 min to 7 days)' },
  snooze: { zh: '推迟认领超时（仅认领人，不超过策略上限）', en: "push the claim's ack timeout out (owner only, up to the policy's limit)" },
};

export const TEXTS = {
  zh: {
    usage: (own: string, other: string) => `用法：${own}（${other}）`,
    muteExamples: '，时长如 30分钟、2小时、1天',
    help: (own: string, other: string, what: string) => `${own}（${other}）— ${what}`,
    heading: '可用命令（回复告警卡片时可省略编号）：',
    more: '发送「帮助」查看全部命令（help）',
    empty: '请输入命令',
    unknown: (v: string) => `未知命令 "${v}"`,
    missingRef: '缺少告警编号',
    badRef: (v: string) => `无效的告警编号 "${v}"`,
    extra: (v: string) => `多余的内容 "${v}"`,
    missingMember: '缺少成员',
    badMember: (v: string) => `无效的成员 "${v}"`,
    missingDuration: '缺少静默时长',
    badDuration: (v: string) => `无效的静默时长 "${v}"，应为 1分钟 到 7天`,
    badScope: (v: string) => `未知的范围 "${v}"`,
    badPeriod: (v: string) => `无效的统计周期 "${v}"，应为 7天 或 30天`,
    missingCoverDuration: '缺少代班时长',
    badCoverDuration: (v: string) => `无效的代班时长 "${v}"，应为 1分钟 到 7天`,
  },
  en: {
    usage: (own: string, other: string) => `usage: ${own} (${other})`,
    muteExamples: ', e.g. 30m, 2h, 1d',
    help: (own: string, other: string, what: string) => `${own} (${other}) — ${what}`,
    heading: 'Commands (leave out the id when replying to an alert card):',
    more: 'Send "help" for all commands (帮助)',
    empty: 'empty command',
    unknown: (v: string) => `unknown command "${v}"`,
    missingRef: 'missing alert id',
    badRef: (v: string) => `invalid alert id "${v}"`,
    extra: (v: string) => `unexpected text "${v}"`,
    missingMember: 'missing member',
    badMember: (v: string) => `invalid member "${v}"`,
    missingDuration: 'missing duration',
    badDuration: (v: string) => `invalid duration "${v}": use 1 min to 7 days`,
    badScope: (v: string) => `unknown scope "${v}"`,
    badPeriod: (v: string) => `invalid period "${v}": use 7d or 30d`,
    missingCoverDuration: 'missing duration',
    badCoverDuration: (v: string) => `invalid duration "${v}": use 1 min to 7 days`,
  },
} satisfies Record<Locale, unknown>;

export type Texts = (typeof TEXTS)['zh'];

export function textsOf(locale: Locale | undefined): Texts {
  return locale === 'en' ? TEXTS.en : TEXTS.zh;
}
