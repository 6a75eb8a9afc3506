import type { Alert } from '../core/alert.js';
import type { Member } from '../config/schema.js';
import type { Locale } from '../bot/card.js';
import type { OutboxMessage } from './message.js';
import type { ChannelResult } from './result.js';
import type { PageContent } from './texts.js';

/** Everything a channel needs to deliver one outbox row, prepared by the sender. */
export interface Delivery {
  row: OutboxMessage;
  alert: Alert;
  /** The recipient (absent for webhooks). */
  member?: Member;
  locale: Locale;
  content: PageContent;
  /** The personal action link's token (Twilio's <Gather> callback carries it), when links are on. */
  linkToken?: string;
}

/** One way to reach a person (or a URL). Channels never retry themselves: the outbox does. */
export interface Channel {
  readonly method: OutboxMessage['method'];
  /** For metrics and receipts: `aliyun`, `tencent`, `twilio`, `smtp`, `webhook`, or the chat platform. */
  readonly provider: string;
  send(d: Delivery): Promise<ChannelResult>;
  /**
   * The reference the provider's receipts carry for this delivery, when it cannot be the row's
   * `_id` (Aliyun voice: at most 15 bytes). The sender records which row it stands for before
   * sending, so a receipt finds its row (OutboxStore.rowByRef).
   */
  receiptRef?(d: Delivery): string;
  /** The provider that carries this delivery, when it depends on the recipient (a DM's chat platform). */
  providerFor?(d: Delivery): string;
  /** A message about no alert (an outbox `notice` row) to a member; only channels that can carry plain text have it. */
  sendNotice?(member: Member, text: string): Promise<ChannelResult>;
  close?(): Promise<void>;
}
