import type { ChatPlatform } from '../config/directory.js';
import { CHAT_IDENTITIES } from '../config/schema.js';
import type { AlertState, Severity } from '../core/types.js';
import type { CardActionId, Locale } from './card.js';
import { formatDuration } from './durations.js';

/**
 * Every chat text of dutybot, in both languages, in one table. Texts that need values are
 * functions; times arrive already formatted (`09:41`, see `formatTime` in render-card.ts) so this
 * file stays free of clocks and time zones. To add a text: add it to `Texts`, and the compiler
 * asks for it in both languages.
 */
export interface Texts {
  /** Between a label and its value in plain text (`来源：…`, `Source: …`). */
  colon: string;
  /** Between items of a list inside one line. */
  listSep: string;
  untitled: string;
  /** Private answer to a click or command while the database is down (restarting): nothing was done. */
  unavailable: string;
  state: Record<AlertState, string>;
  severity: Record<Severity, string>;
  /** `静默至 09:41` */
  mutedUntil: (time: string) => string;
  /** Status of an open alert that has repeated: `已重复 5 次`. */
  repeated: (count: number) => string;
  /**
   * Where escalation stands: `升级 第 2/3 级，4 分钟后下一级`, `level 2 of 3, next in 4 min`.
   * `next` is already formatted (`4 分钟`, `4 min`); absent when nothing more is planned or it is paused.
   */
  escalation: (level: number, of: number, next?: string, paused?: boolean) => string;
  /** A wait on a card, rounded up: `4 分钟`, `30 秒`; `4 min`, `30 s`. */
  waitFor: (ms: number) => string;
  field: {
    source: string;
    application: string;
    team: string;
    host: string;
    service: string;
    count: string;
    lastSeen: string;
    /** The source's start and our receipt, when they differ by more than a minute. */
    times: string;
    owner: string;
    /** Whom round-robin named (they still have to claim). */
    assignee: string;
    escalationLevel: string;
    labels: string;
    links: string;
  };
  /** Button labels. */
  action: Record<CardActionId, string>;
  /** Command words as typed in chat (`认领 12`, `claim 12`). */
  command: Record<CardActionId, string>;
  /** Placeholders in the command hint. */
  arg: { note: string; member: string; duration: string };
  /** `回复命令：认领 12 · 关闭 12 [备注]` from the already built commands. */
  commandHint: (commands: string[]) => string;
  /** A mute duration: `30分钟`, `2 h`. */
  duration: (ms: number) => string;
  platform: Record<ChatPlatform, string>;
  /** Refusals the chat core answers with. */
  refuse: {
    /** `已被 张三 于 09:41 认领` */
    alreadyClaimed: (name: string, time?: string) => string;
    /** `已被 李四 于 10:02 关闭` */
    alreadyResolved: (name?: string, time?: string) => string;
    /** To someone dutybot does not know: they can read, not act; how to be added. */
    unknownUser: (platform: ChatPlatform, userId?: string) => string;
    notFound: (ref: string | number) => string;
    notAllowed: (ref: string | number, state: AlertState) => string;
  };
  /** Confirmations after an action went through. */
  done: {
    claimed: (ref: string | number) => string;
    resolved: (ref: string | number) => string;
    escalated: (ref: string | number, level: number) => string;
    reassigned: (ref: string | number, name: string) => string;
    muted: (ref: string | number, until: string) => string;
    unmuted: (ref: string | number) => string;
  };
  /** `开始于 14:02（收到于 14:05）` */
  sourceTimes: (started: string, received: string) => string;
  /** A card's line while its alert is in maintenance. */
  inMaintenance: (until: string) => string;
  /** A card back to triggered because its claim timed out: `↩ 李四认领后 10 分钟未解决`. */
  ackTimedOut: (minutes: number, owner: string) => string;
  /**
   * What the message that @-mentions the people an escalation level names says after their
   * mentions (Slack: a reply in the card's thread): `升级给你，请处理：🔴 #12 磁盘将满`.
   */
  mentionEscalated: (heading: string) => string;
  /** The @-mention of the person round-robin named: `轮到你了（轮流指派），请认领：🔴 #12 磁盘将满`. */
  mentionAssigned: (heading: string) => string;
  /** The card's assignee field's value: `张三（轮流）`. */
  roundRobin: (name: string) => string;
  /** A claimed card whose policy has an ack timeout: `⏰ 14:31 前未解决将重新升级`. */
  ackDue: (at: string) => string;
  /** A claimed card whose ack timeout is paused (mute, maintenance): `⏸ 认领超时已暂停（剩 8 分钟）`. */
  ackPaused: (left: string) => string;
  summary: {
    /** `还有 37 条告警（运维，5 台主机）`, `+37 more for ops, 5 hosts` */
    moreAlerts: (n: number, team: string, hosts: number) => string;
    /** `主机（5）：web-1、web-2…`; `shown` may be fewer than `count`. */
    hosts: (count: number, shown: string[]) => string;
    /** Channels that cannot edit: `09:41 以来又有 14 条告警（运维，3 台主机）`, `+14 more since 09:41 for ops, 3 hosts` */
    moreSince: (n: number, since: string, team: string, hosts: number) => string;
    /** A follow-up message naming several changes: `3 条告警有变化`, `3 alerts changed` */
    changed: (n: number) => string;
  };
}

/** `12` and `#12` both read `#12`; other refs (an alert's id) stay as they are, kept short. */
export function refText(ref: string | number): string {
  const s = String(ref).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (/^#?\d+$/.test(s)) return s.startsWith('#') ? s : `#${s}`;
  return s.length > 64 ? `${s.slice(0, 63)}…` : s;
}

export const TEXTS: Record<Locale, Texts> = {
  zh: {
    colon: '：',
    listSep: '、',
    untitled: '（无标题）',
    unavailable: '数据库暂时不可用（正在自动恢复），本次操作未执行，请稍后再试。',
    state: { triggered: '待认领', acknowledged: '已认领', resolved: '已关闭' },
    severity: { critical: '严重', warning: '警告', info: '提示' },
    mutedUntil: (time) => `静默至 ${time}`,
    repeated: (count) => `已重复 ${count} 次`,
    escalation: (level, of, next, paused) =>
      level > 0
        ? `升级 第 ${level}/${of} 级${paused ? '（已暂停）' : next ? `，${next}后下一级` : ''}`
        : paused
          ? '升级已暂停'
          : next
            ? `${next}后升级`
            : '',
    waitFor: (ms) => (ms < 60_000 ? `${Math.max(1, Math.ceil(ms / 1000))} 秒` : `${Math.ceil(ms / 60_000)} 分钟`),
    field: {
      source: '来源',
      application: '应用',
      team: '团队',
      host: '主机',
      service: '服务',
      count: '次数',
      lastSeen: '最近',
      times: '时间',
      owner: '负责人',
      assignee: '指派',
      escalationLevel: '升级级别',
      labels: '标签',
      links: '链接',
    },
    action: { claim: '认领', resolve: '关闭', escalate: '升级', reassign: '转派', mute: '静默', unmute: '取消静默', snooze: '延后' },
    command: { claim: '认领', resolve: '关闭', escalate: '升级', reassign: '转派', mute: '静默', unmute: '取消静默', snooze: '延后' },
    arg: { note: '[备注]', member: '<成员>', duration: '2h' },
    commandHint: (commands) => `回复命令：${commands.join(' · ')}`,
    duration: (ms) => formatDuration(ms, 'zh'),
    platform: platformNames('zh'),
    refuse: {
      alreadyClaimed: (name, time) => (time ? `已被 ${name} 于 ${time} 认领` : `已被 ${name} 认领`),
      alreadyResolved: (name, time) =>
        name ? (time ? `已被 ${name} 于 ${time} 关闭` : `已被 ${name} 关闭`) : time ? `已于 ${time} 关闭` : '已关闭',
      unknownUser: (platform, userId) => {
        const p = TEXTS.zh.platform[platform] ?? platform;
        const id = userId ? `（${userId}）` : '';
        return (
          `你好，dutybot 还不认识你的${p}账号${id}：你可以查看告警，但还不能认领或处理。` +
          `请联系管理员把你的${p} ID 加到 dutybot.yaml 的 \`members[].${platform}\`。`
        );
      },
      notFound: (ref) => `找不到告警 ${refText(ref)}`,
      notAllowed: (ref, state) => `告警 ${refText(ref)} ${TEXTS.zh.state[state] ?? state}，不能这样操作`,
    },
    done: {
      claimed: (ref) => `已认领 ${refText(ref)}`,
      resolved: (ref) => `已关闭 ${refText(ref)}`,
      escalated: (ref, level) => `已升级 ${refText(ref)}（第 ${level} 级）`,
      reassigned: (ref, name) => `已将 ${refText(ref)} 转派给 ${name}`,
      muted: (ref, until) => `已静默 ${refText(ref)} 至 ${until}`,
      unmuted: (ref) => `已取消静默 ${refText(ref)}`,
    },
    sourceTimes: (started, received) => `开始于 ${started}（收到于 ${received}）`,
    inMaintenance: (until) => `🛠 维护中，至 ${until}`,
    ackTimedOut: (minutes, owner) => `↩ ${owner} 认领后 ${minutes} 分钟未解决，重新升级`,
    mentionEscalated: (heading) => `升级给你，请处理：${heading}`,
    mentionAssigned: (heading) => `轮到你了（轮流指派），请认领：${heading}`,
    roundRobin: (name) => `${name}（轮流）`,
    ackDue: (at) => `⏰ ${at} 前未解决将重新升级`,
    ackPaused: (left) => `⏸ 认领超时已暂停（剩 ${left}）`,
    summary: {
      moreAlerts: (n, team, hosts) => {
        const parts = [team, hosts > 0 ? `${hosts} 台主机` : ''].filter(Boolean);
        return `还有 ${n} 条告警${parts.length ? `（${parts.join('，')}）` : ''}`;
      },
      hosts: (count, shown) =>
        count > 0 ? `主机（${count}）：${shown.join('、')}${shown.length < count ? '…' : ''}` : '主机：未注明',
      moreSince: (n, since, team, hosts) => {
        const parts = [team, hosts > 0 ? `${hosts} 台主机` : ''].filter(Boolean);
        return `${since ? `${since} 以来` : ''}又有 ${n} 条告警${parts.length ? `（${parts.join('，')}）` : ''}`;
      },
      changed: (n) => `${n} 条告警有变化`,
    },
  },
  en: {
    colon: ': ',
    listSep: ', ',
    untitled: '(no title)',
    unavailable: 'The database is briefly unavailable (recovering by itself); nothing was done. Please try again in a moment.',
    state: { triggered: 'Open', acknowledged: 'Claimed', resolved: 'Resolved' },
    severity: { critical: 'Critical', warning: 'Warning', info: 'Info' },
    mutedUntil: (time) => `Muted until ${time}`,
    repeated: (count) => `repeated ${count} times`,
    escalation: (level, of, next, paused) =>
      level > 0
        ? `level ${level} of ${of}${paused ? ' (paused)' : next ? `, next in ${next}` : ''}`
        : paused
          ? 'escalation paused'
          : next
            ? `escalates in ${next}`
            : '',
    waitFor: (ms) => (ms < 60_000 ? `${Math.max(1, Math.ceil(ms / 1000))} s` : `${Math.ceil(ms / 60_000)} min`),
    field: {
      source: 'Source',
      application: 'Application',
      team: 'Team',
      host: 'Host',
      service: 'Service',
      count: 'Count',
      lastSeen: 'Last seen',
      times: 'Time',
      owner: 'Owner',
      assignee: 'Assigned',
      escalationLevel: 'Escalation level',
      labels: 'Labels',
      links: 'Links',
    },
    action: { claim: 'Claim', resolve: 'Resolve', escalate: 'Escalate', reassign: 'Reassign', mute: 'Mute', unmute: 'Unmute', snooze: 'Snooze' },
    command: { claim: 'claim', resolve: 'resolve', escalate: 'escalate', reassign: 'reassign', mute: 'mute', unmute: 'unmute', snooze: 'snooze' },
    arg: { note: '[note]', member: '<member>', duration: '2h' },
    commandHint: (commands) => `Commands: ${commands.join(' · ')}`,
    duration: (ms) => formatDuration(ms, 'en'),
    platform: platformNames('en'),
    refuse: {
      alreadyClaimed: (name, time) => (time ? `already claimed by ${name} at ${time}` : `already claimed by ${name}`),
      alreadyResolved: (name, time) =>
        `already resolved${name ? ` by ${name}` : ''}${time ? ` at ${time}` : ''}`,
      unknownUser: (platform, userId) => {
        const p = TEXTS.en.platform[platform] ?? platform;
        const id = userId ? ` (${userId})` : '';
        return (
          `Hi! dutybot doesn't know your ${p} account${id} yet: you can read alerts but not act on them. ` +
          `Ask an admin to add your ${p} id to \`members[].${platform}\` in dutybot.yaml.`
        );
      },
      notFound: (ref) => `alert ${refText(ref)} not found`,
      notAllowed: (ref, state) => `alert ${refText(ref)} is ${(TEXTS.en.state[state] ?? state).toLowerCase()}: not allowed now`,
    },
    done: {
      claimed: (ref) => `claimed ${refText(ref)}`,
      resolved: (ref) => `resolved ${refText(ref)}`,
      escalated: (ref, level) => `escalated ${refText(ref)} to level ${level}`,
      reassigned: (ref, name) => `reassigned ${refText(ref)} to ${name}`,
      muted: (ref, until) => `muted ${refText(ref)} until ${until}`,
      unmuted: (ref) => `unmuted ${refText(ref)}`,
    },
    sourceTimes: (started, received) => `started ${started} (received ${received})`,
    inMaintenance: (until) => `🛠 in maintenance until ${until}`,
    ackTimedOut: (minutes, owner) => `↩ no resolution within ${minutes} min of ${owner}'s claim`,
    mentionEscalated: (heading) => `escalated to you, please take a look: ${heading}`,
    mentionAssigned: (heading) => `your turn (round-robin), please claim: ${heading}`,
    roundRobin: (name) => `${name} (round-robin)`,
    ackDue: (at) => `⏰ escalates again at ${at} unless resolved`,
    ackPaused: (left) => `⏸ ack timeout paused (${left} left)`,
    summary: {
      moreAlerts: (n, team, hosts) =>
        `+${n} more${team ? ` for ${team}` : ''}${hosts > 0 ? `, ${hosts} ${hosts === 1 ? 'host' : 'hosts'}` : ''}`,
      hosts: (count, shown) =>
        count > 0 ? `Hosts (${count}): ${shown.join(', ')}${shown.length < count ? ', …' : ''}` : 'Hosts: none given',
      moreSince: (n, since, team, hosts) =>
        `+${n} more${since ? ` since ${since}` : ''}${team ? ` for ${team}` : ''}${hosts > 0 ? `, ${hosts} ${hosts === 1 ? 'host' : 'hosts'}` : ''}`,
      changed: (n) => `${n} alerts changed`,
    },
  },
};

/** The table for a locale; an unknown locale (odd config or data) reads Chinese, the config default. */
export function texts(locale: Locale): Texts {
  return TEXTS[locale] ?? TEXTS.zh;
}

/** Each chat platform's name in a language, as the config schema declares it. */
function platformNames(locale: Locale): Record<ChatPlatform, string> {
  const names = {} as Record<ChatPlatform, string>;
  for (const [p, def] of Object.entries(CHAT_IDENTITIES) as Array<[ChatPlatform, { zh: string; en: string }]>) names[p] = def[locale];
  return names;
}
