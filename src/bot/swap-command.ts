import type { Directory } from '../config/directory.js';
import type { Member, Schedule, Team } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { whoIsOnCall } from '../core/oncall.js';
import { shiftsBetween, type Shift } from '../core/shifts.js';
import { DAY_MS, fromWall, wallMs } from '../core/zoned-time.js';
import type { OnCallOverrideStore } from '../store/oncall-overrides.js';
import type { OnCallSwapStore, SwapDoc, SwapSpan } from '../store/oncall-swaps.js';
import type { Locale } from './card.js';
import type { BotReply, InboundRequest, MessageRef, QuestionMessage } from './chat-adapter.js';
import { teamOfChannel } from './channels.js';
import { findMember, identityPlatform } from './chat-service.js';
import { OTHER_VERBS, usage } from './commands.js';
import { mentionOf } from './mentions.js';
import type { QuestionPort } from './questions.js';
import { formatTime } from './render-card.js';

/**
 * `swap <member> <date|next>` / `换班 <成员> <日期|下一班>` asks another member to swap shifts on the
 * schedule of the channel's team (else the asker's): the asker's shift starting that day for the
 * other person's shift nearest to it. Where the platform shows questions (Slack, DingTalk app) the
 * request is a card with Accept / Decline whose clicks come back as the commands below; elsewhere
 * (WeChat, robots) it is words. The other person answers `swap accept|decline <id>` /
 * `换班 同意|拒绝 <编号>`, typed or clicked: the same code and checks either way, and the card is
 * rewritten with the answer. Accepted, the swap becomes two overrides written together, each
 * audited with the swap's id. Bad input is answered privately; nothing changes.
 */
const VERBS = new Set(OTHER_VERBS.swap);
const MENTIONS = /^(\s*(?:[@＠]\S+|<@[^>]+>))*\s*/;
const SLACK_USER = /^<@([A-Za-z0-9._-]+)(?:\|[^>]*)?>$/;
const ACCEPT = new Set(['accept', 'yes', '同意', '接受']);
const DECLINE = new Set(['decline', 'no', '拒绝']);
/** How far ahead a swap looks for shifts, and how long a request waits for its answer at most. */
const AHEAD_MS = 30 * DAY_MS;
const ANSWER_WITHIN_MS = DAY_MS;

export interface SwapCommandDeps {
  directory: Directory;
  overrides: Pick<OnCallOverrideStore, 'forSchedule' | 'addAll'>;
  swaps: OnCallSwapStore;
  clock: Clock;
  timeZone: string;
  /** Told after an accepted swap, so handoff notices see the new timeline. */
  changed?: () => void;
  /** Posts the request as a card with Accept / Decline where the channel can show one. */
  questions?: QuestionPort;
}

/** Handled, nothing more to say: the answer is the card. */
const SAID_BY_CARD: BotReply = { text: '', private: false };

export class SwapCommand {
  constructor(private readonly deps: SwapCommandDeps) {}

  async handle(req: InboundRequest, member: Member | undefined, locale: Locale): Promise<BotReply | null> {
    if (req.kind !== 'command' || typeof req.text !== 'string') return null;
    const words = req.text.replace(MENTIONS, '').trim().split(/\s+/).filter(Boolean);
    if (!VERBS.has(words[0]?.normalize('NFKC').toLowerCase() ?? '')) return null;
    const zh = locale !== 'en';
    if (!member) return { text: zh ? '你还不是 dutybot 的成员（members:）' : 'you are not a dutybot member (members:)', private: true };
    const sub = words[1]?.toLowerCase() ?? '';
    if ((ACCEPT.has(sub) || DECLINE.has(sub)) && words.length <= 3) {
      if (words.length !== 3) return this.fail(zh ? '需要一个换班编号' : 'give one swap id', locale);
      return this.answer(words[2]!.replace(/^[#＃]/, '').toLowerCase(), ACCEPT.has(sub), req, member, locale);
    }
    if (words.length !== 3) return this.fail(zh ? '需要成员和日期' : 'give a member and a date', locale);
    return this.ask(words[1]!, words[2]!, req, member, locale);
  }

  private fail(why: string, locale: Locale): BotReply {
    return { text: `${why}\n${usage('swap', locale)}`, private: true };
  }

  private async ask(who: string, when: string, req: InboundRequest, asker: Member, locale: Locale): Promise<BotReply> {
    const zh = locale !== 'en';
    const dir = this.deps.directory;
    const other = findMember(dir, SLACK_USER.exec(who)?.[1] ?? who.replace(/^[@＠]/, ''), req.platform);
    if (!other) return this.fail(zh ? `找不到成员 "${who}"` : `unknown member "${who}"`, locale);
    if (other.id === asker.id) return this.fail(zh ? '不能和自己换班' : 'you cannot swap with yourself', locale);
    const schedule = this.scheduleFor(req, asker);
    if (!schedule) {
      return { text: zh ? '这个群和你所在的团队都没有值班表（teams[].schedule）' : "neither this channel's team nor yours has an on-call schedule (teams[].schedule)", private: true };
    }
    const now = this.deps.clock.now();
    const day = parseDay(when, now, schedule.timeZone);
    if (day === undefined) return this.fail(zh ? `看不懂日期 "${when}"（如 11-25、明天、下一班）` : `cannot read the date "${when}" (e.g. 11-25, tomorrow, next)`, locale);
    const opts = { extraOverrides: await this.deps.overrides.forSchedule(schedule.id), calendars: dir.config.calendars };
    const shifts = shiftsBetween(schedule, now, new Date(now.getTime() + AHEAD_MS), opts);
    const mine = shifts.filter((s) => s.member === asker.id);
    const give = day === 'next' ? mine[0] : mine.find((s) => s.start >= day.from && s.start < day.to);
    if (!give) return this.fail(zh ? `你在「${schedule.name}」${when} 没有班次` : `you have no shift on ${schedule.name} on ${when}`, locale);
    // The shift given back: the other person's nearest one. None means they would take a shift
    // and leave none for the asker, and the "swap" would empty the asker's side: a cover, not a swap.
    const take = nearest(shifts.filter((s) => s.member === other.id && (s.end <= give.start || s.start >= give.end)), give);
    if (!take) {
      return this.fail(
        zh ? `${other.name} 在「${schedule.name}」未来 30 天没有班次可与你交换，换班会让一边的班次空出来（请用「代班」）` : `${other.name} has no shift on ${schedule.name} in the next 30 days to swap back: a swap would leave a shift empty (use cover)`,
        locale,
      );
    }
    const expiresAt = new Date(Math.min(now.getTime() + ANSWER_WITHIN_MS, give.end.getTime(), take.end.getTime()));
    const via = identityPlatform(req.platform) ?? req.platform;
    const doc = await this.deps.swaps.create({
      scheduleId: schedule.id,
      asker: asker.id,
      other: other.id,
      askerShift: span(give),
      otherShift: span(take),
      createdAt: now,
      expiresAt,
      via,
      channel: req.channel,
    });
    const card = await this.deps.questions?.ask(req.platform, req.channel, this.question(doc, locale));
    if (card) {
      await this.deps.swaps.setCard(doc._id, card);
      return SAID_BY_CARD;
    }
    const a = this.fmtSpan(doc.askerShift);
    const b = this.fmtSpan(doc.otherShift);
    const until = this.fmt(expiresAt);
    return {
      text: zh
        ? `换班请求 #${doc._id}（${schedule.name}）：${asker.name} 的 ${a} ⇄ ${other.name} 的 ${b}\n${other.name} 请回复「换班 同意 ${doc._id}」或「换班 拒绝 ${doc._id}」（${until} 前有效）`
        : `Swap request #${doc._id} (${schedule.name}): ${asker.name}'s ${a} ⇄ ${other.name}'s ${b}\n${other.name}, answer "swap accept ${doc._id}" or "swap decline ${doc._id}" (until ${until})`,
      private: false,
    };
  }

  private async answer(id: string, accept: boolean, req: InboundRequest, member: Member, locale: Locale): Promise<BotReply> {
    const zh = locale !== 'en';
    const dir = this.deps.directory;
    const name = (m: string): string => dir.member(m)?.name ?? m;
    const doc = await this.deps.swaps.get(id);
    if (!doc) return this.fail(zh ? `找不到换班请求 #${id}` : `no swap request #${id}`, locale);
    if (doc.other !== member.id) return { text: zh ? `只有 ${name(doc.other)} 可以回复换班请求 #${id}` : `only ${name(doc.other)} may answer swap request #${id}`, private: true };
    const answered = (d: SwapDoc): BotReply => {
      const what = d.state === 'accepted' ? (zh ? '已同意' : 'accepted') : zh ? '已拒绝' : 'declined';
      return { text: zh ? `换班请求 #${id} 已经回复过（${what}）` : `swap request #${id} was already answered (${what})`, private: true };
    };
    if (doc.state !== 'asked') return answered(doc);
    const now = this.deps.clock.now();
    if (now >= doc.expiresAt) {
      await this.closeCard(doc, locale, 'expired');
      return { text: zh ? `换班请求 #${id} 已过期，值班不变` : `swap request #${id} has expired; nothing changed`, private: true };
    }
    const schedule = dir.config.schedules.find((s) => s.id === doc.scheduleId);
    const where = { via: identityPlatform(req.platform) ?? req.platform, channel: req.channel };
    if (!accept || !schedule) {
      const done = await this.deps.swaps.answer(id, 'declined', where, now, async () => {});
      if (!done) return answered((await this.deps.swaps.get(id)) ?? doc);
      await this.closeCard(done, locale, 'declined', member.name);
      if (req.kind === 'command' && req.clicked) return SAID_BY_CARD;
      return { text: zh ? `${member.name} 拒绝了换班请求 #${id}，值班不变` : `${member.name} declined swap request #${id}; nothing changed`, private: false };
    }
    // The timeline may have moved since the request (a cover, a config reload): each still has to
    // hold the shift they give, or the pair would cover something else.
    const opts = { extraOverrides: await this.deps.overrides.forSchedule(schedule.id), calendars: dir.config.calendars };
    const holds = (who: string, s: SwapSpan): boolean => whoIsOnCall(schedule, new Date(Math.max(s.from.getTime(), now.getTime())), opts)?.member === who;
    if (!holds(doc.asker, doc.askerShift) || !holds(doc.other, doc.otherShift)) {
      return { text: zh ? `换班请求 #${id} 的班次已经变了，请重新发起` : `the shifts of swap request #${id} have changed; ask again`, private: true };
    }
    const done = await this.deps.swaps.answer(id, 'accepted', where, now, async (d) => {
      const clip = (s: SwapSpan): SwapSpan => ({ from: new Date(Math.max(s.from.getTime(), now.getTime())), to: s.to });
      await this.deps.overrides.addAll(
        d.scheduleId,
        [
          { member: d.other, ...clip(d.askerShift), by: member.id, ...where, swap: d._id },
          { member: d.asker, ...clip(d.otherShift), by: member.id, ...where, swap: d._id },
        ],
        now,
      );
    });
    if (!done) return answered((await this.deps.swaps.get(id)) ?? doc);
    this.deps.changed?.();
    await this.closeCard(done, locale, 'accepted', member.name);
    if (req.kind === 'command' && req.clicked) return SAID_BY_CARD;
    const a = this.fmtSpan(doc.askerShift);
    const b = this.fmtSpan(doc.otherShift);
    return {
      text: zh
        ? `已换班 #${id}（${schedule.name}）：${name(doc.other)} 值 ${a}，${name(doc.asker)} 值 ${b}`
        : `Swapped #${id} (${schedule.name}): ${name(doc.other)} takes ${a}, ${name(doc.asker)} takes ${b}`,
      private: false,
    };
  }

  /** The request as a question to the other person: Accept / Decline, or (closed) how it ended. */
  private question(doc: SwapDoc, locale: Locale, status?: string): QuestionMessage {
    const zh = locale !== 'en';
    const dir = this.deps.directory;
    const name = (m: string): string => dir.member(m)?.name ?? m;
    const schedule = dir.config.schedules.find((s) => s.id === doc.scheduleId)?.name ?? doc.scheduleId;
    const heading = zh ? `换班请求 #${doc._id}（${schedule}）` : `Swap request #${doc._id} (${schedule})`;
    const lines = [
      zh
        ? `${name(doc.asker)} 的 ${this.fmtSpan(doc.askerShift)} ⇄ ${name(doc.other)} 的 ${this.fmtSpan(doc.otherShift)}`
        : `${name(doc.asker)}'s ${this.fmtSpan(doc.askerShift)} ⇄ ${name(doc.other)}'s ${this.fmtSpan(doc.otherShift)}`,
    ];
    if (!status) lines.push(zh ? `${name(doc.other)} 请选择（${this.fmt(doc.expiresAt)} 前有效）` : `${name(doc.other)}, please answer (until ${this.fmt(doc.expiresAt)})`);
    const choices = status
      ? []
      : [
          { label: zh ? '同意' : 'Accept', command: `swap accept ${doc._id}`, style: 'primary' as const },
          { label: zh ? '拒绝' : 'Decline', command: `swap decline ${doc._id}`, style: 'danger' as const },
        ];
    return {
      locale,
      heading,
      lines,
      choices,
      ...(status ? { status } : {}),
      mentions: status ? [] : mentionOf(dir.member(doc.other)),
      text: [heading, ...lines, ...(status ? [status] : [])].join('\n'),
    };
  }

  /** Rewrites the request's card, if it has one, to say how it ended. */
  private async closeCard(doc: SwapDoc, locale: Locale, how: 'accepted' | 'declined' | 'expired', by?: string): Promise<void> {
    if (!doc.card || !this.deps.questions) return;
    const zh = locale !== 'en';
    const at = this.fmt(doc.answeredAt ?? this.deps.clock.now());
    const status =
      how === 'expired'
        ? zh ? `⌛ 已过期，值班不变（${this.fmt(doc.expiresAt)}）` : `⌛ Expired, nothing changed (${this.fmt(doc.expiresAt)})`
        : how === 'accepted'
          ? zh ? `✅ ${by} 已同意 · ${at}` : `✅ Accepted by ${by} · ${at}`
          : zh ? `❌ ${by} 已拒绝，值班不变 · ${at}` : `❌ Declined by ${by} · ${at}; nothing changed`;
    await this.deps.questions.update(doc.card as MessageRef, this.question(doc, locale, status));
  }

  /** The channel's team's schedule, else the asker's team's (as `cover`). */
  private scheduleFor(req: InboundRequest, asker: Member): Schedule | undefined {
    const dir = this.deps.directory;
    const team = [teamOfChannel(dir, req.platform, req.channel, req.channelName), ...dir.allTeams().filter((t) => t.members.includes(asker.id))].find(
      (t): t is Team => !!t?.schedule,
    );
    return team ? dir.config.schedules.find((s) => s.id === team.schedule) : undefined;
  }

  private fmt(d: Date): string {
    return formatTime(d, { now: this.deps.clock.now(), timeZone: this.deps.timeZone });
  }

  private fmtSpan(s: SwapSpan): string {
    return `${this.fmt(s.from)} – ${this.fmt(s.to)}`;
  }
}

const span = (s: Shift): SwapSpan => ({ from: s.start, to: s.end });

function nearest(shifts: Shift[], to: Shift): Shift | undefined {
  const d = (s: Shift): number => Math.abs(s.start.getTime() - to.start.getTime());
  return shifts.reduce<Shift | undefined>((best, s) => (!best || d(s) < d(best) ? s : best), undefined);
}

/**
 * A day in the schedule's zone (`2026-11-25`, `11-25`, `11/25`, `11月25日`, `today|今天`,
 * `tomorrow|明天`) as its local midnight-to-midnight, or `next` (`下一班`) for the asker's next shift.
 * A day without a year is the next such day (today included).
 */
export function parseDay(text: string, now: Date, zone: string): { from: Date; to: Date } | 'next' | undefined {
  const t = text.normalize('NFKC').toLowerCase();
  if (t === 'next' || t === '下一班' || t === '下个班') return 'next';
  const today = Math.floor(wallMs(now, zone) / DAY_MS) * DAY_MS;
  const dayAt = (wall: number) => ({ from: fromWall(wall, zone), to: fromWall(wall + DAY_MS, zone) });
  if (t === 'today' || t === '今天') return dayAt(today);
  if (t === 'tomorrow' || t === '明天') return dayAt(today + DAY_MS);
  const m = /^(?:(\d{4})[-/年])?(\d{1,2})[-/月](\d{1,2})日?$/.exec(t);
  if (!m) return undefined;
  const [mo, d] = [Number(m[2]), Number(m[3])];
  const year = m[1] ? Number(m[1]) : new Date(today).getUTCFullYear();
  let wall = Date.UTC(year, mo - 1, d);
  if (new Date(wall).getUTCMonth() !== mo - 1) return undefined;
  if (!m[1] && wall < today) wall = Date.UTC(year + 1, mo - 1, d);
  return dayAt(wall);
}
