import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { types } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';

/**
 * A WeChat world for wechaty tests, on wechaty-puppet-mock's `Mocker`: the bot's own account,
 * a few people, and one group with all of them. People say things in the group; what the bot
 * sends arrives as the mock's room `message` events and is recorded here.
 *
 * Traps of the mock (see docs/wechat.md): contact ids must not contain `@` (the mock sends to
 * `…@…` ids as rooms), room ids must contain it; `messageSendText` returns no message id; and
 * the mentions passed to `room.say(text, contact)` do not reach the message (its text starts
 * with `@name` instead).
 */

export type ContactMock = mock.ContactMock;
export type RoomMock = mock.RoomMock;
export type MessageMock = mock.MessageMock;

export interface SaidMessage {
  id: string;
  talkerId: string;
  text: string;
  mentionIdList: string[];
  timestamp: number;
}

export interface WechatMockOptions {
  botName?: string;
  topic?: string;
  roomId?: string;
}

export class WechatMock {
  readonly mocker = new mock.Mocker();
  readonly puppet: PuppetMock;
  readonly bot: ContactMock;
  readonly zhang: ContactMock;
  readonly li: ContactMock;
  readonly room: RoomMock;
  /** Everything said in the room (people and bot), in order. */
  readonly said: SaidMessage[] = [];
  /** One-to-one messages (the bot's direct messages to people): to whom, what. */
  readonly direct: Array<{ to: string; from: string; text: string }> = [];
  private readonly events = new EventEmitter();

  constructor(opts: WechatMockOptions = {}) {
    this.puppet = new PuppetMock({ mocker: this.mocker });
    this.events.setMaxListeners(100);
    // Ids without `@`: the mock routes anything with `@` to a room.
    this.bot = this.mocker.createContact({ id: 'wxid_dutybot', name: opts.botName ?? 'dutybot' });
    this.zhang = this.mocker.createContact({ id: 'wxid_zhang', name: '张三' });
    this.li = this.mocker.createContact({ id: 'wxid_li', name: '李四' });
    this.room = this.mocker.createRoom({
      id: opts.roomId ?? 'ops-oncall@chatroom',
      topic: opts.topic ?? '运维值班',
      memberIdList: [this.bot.id, this.zhang.id, this.li.id],
      adminIdList: [],
      avatar: '',
    } as Parameters<mock.Mocker['createRoom']>[0]);
    this.puppet.on('message', ({ messageId }: { messageId: string }) => this.recordDirect(messageId));
    // RoomMock's emitter type comes from typed-emitter, which is not installed: use it as a plain emitter.
    (this.room as unknown as EventEmitter).on('message', (m: MessageMock) => {
      const p = m.payload as { id: string; talkerId?: string; text?: string; timestamp: number; mentionIdList?: string[] };
      const rec: SaidMessage = {
        id: p.id,
        talkerId: p.talkerId ?? '',
        text: p.text ?? '',
        mentionIdList: p.mentionIdList ?? [],
        timestamp: p.timestamp,
      };
      this.said.push(rec);
      this.events.emit('said', rec);
    });
  }

  /** Records one-to-one messages, which the mock announces only as the puppet's `message` event. */
  private recordDirect(messageId: string): void {
    const p = this.mocker.MessageMock.load(messageId).payload as { listenerId?: string; talkerId?: string; text?: string };
    if (p.listenerId) this.direct.push({ to: p.listenerId, from: p.talkerId ?? '', text: p.text ?? '' });
  }

  /** Emits a `scan` event with this QR payload (status Waiting). */
  scan(qrcode: string): void {
    this.mocker.scan(qrcode, types.ScanStatus.Waiting);
  }

  login(): void {
    this.mocker.login(this.bot);
  }

  /**
   * `contact` says `text` in the room (mentioning `mentions`); returns the message id. The mock
   * creates the message synchronously, so the id is known before wechaty hears of it.
   */
  say(contact: ContactMock, text: string, mentions: ContactMock[] = []): string {
    const before = this.said.length;
    contact.say(text, mentions).to(this.room);
    const rec = this.said.slice(before).find((m) => m.talkerId === contact.id && m.text === text);
    if (!rec) throw new Error('the mock did not record the message');
    return rec.id;
  }

  /** Like `say`, with a chosen timestamp (ms): how a puppet replays history after a login. */
  sayAt(contact: ContactMock, text: string, timestamp: number): string {
    const id = `replayed-${randomUUID()}`;
    this.mocker.MessageMock.create({
      id,
      talkerId: contact.id,
      roomId: this.room.id,
      mentionIdList: [],
      text,
      timestamp,
      type: types.Message.Text,
    } as Parameters<typeof this.mocker.MessageMock.create>[0]);
    this.puppet.emit('message', { messageId: id });
    return id;
  }

  /** WeChat's quote-reply text: `「<name>：<quoted>」`, a dashed line, then the reply. */
  static quote(name: string, quoted: string, reply: string): string {
    return `「${name}：${quoted}」\n- - - - - - - - - - - - - - -\n${reply}`;
  }

  /** What the bot itself sent to the room. */
  botMessages(): SaidMessage[] {
    return this.said.filter((m) => m.talkerId === this.bot.id);
  }

  /** The first message (past or future) matching `predicate`. */
  waitFor(predicate: (m: SaidMessage) => boolean, timeoutMs = 5_000): Promise<SaidMessage> {
    const past = this.said.find(predicate);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const on = (m: SaidMessage): void => {
        if (!predicate(m)) return;
        cleanup();
        resolve(m);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching room message within ${timeoutMs} ms; seen: ${this.said.map((m) => JSON.stringify(m.text.slice(0, 30))).join(', ') || 'none'}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('said', on);
      };
      this.events.on('said', on);
    });
  }

  /** A bot message matching `predicate`. */
  waitForBot(predicate: (text: string) => boolean, timeoutMs = 5_000): Promise<SaidMessage> {
    return this.waitFor((m) => m.talkerId === this.bot.id && predicate(m.text), timeoutMs);
  }
}
