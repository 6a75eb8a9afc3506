import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Member } from '../../config/schema.js';
import type { Channel, Delivery } from '../channel.js';
import { permanent, retry, sent, type ChannelResult } from '../result.js';

/**
 * Email over SMTP with nodemailer: HTML and text in the team's language, the subject with
 * severity, short id and title. The Message-ID is derived from the outbox row's `_id`, so a
 * message repeated after a crash carries the same id and mail clients show it once.
 */
export class EmailChannel implements Channel {
  readonly method = 'email' as const;
  readonly provider = 'smtp';
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
    this.domain = /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'dutybot.local';
  }

  async send(d: Delivery): Promise<ChannelResult> {
    const to = d.member?.email;
    if (!to) return permanent(d.member ? `member ${d.member.id} has no email address` : 'no recipient');
    const messageId = `<${createHash('sha256').update(d.row._id).digest('hex').slice(0, 32)}@${this.domain}>`;
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: d.member?.name ? { name: d.member.name, address: to } : to,
        subject: d.content.subject,
        text: d.content.text,
        html: d.content.html,
        messageId,
        headers: { 'X-Dutybot-Alert': d.alert.id, 'Auto-Submitted': 'auto-generated' },
      });
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.includes(to)) return permanent(`rejected by the server: ${info.response ?? ''}`);
      return sent(info.messageId ?? messageId);
    } catch (err) {
      return smtpFailure(err);
    }
  }

  /**
   * A personal message about no alert (the console's sign-in link), sent once by the same
   * transport. Not an outbox row: the caller decides whether a failure is worth another try.
   */
  async sendText(member: Member, mail: { subject: string; text: string }): Promise<ChannelResult> {
    if (!member.email) return permanent(`member ${member.id} has no email address`);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: { name: member.name, address: member.email },
        subject: mail.subject,
        text: mail.text,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      if ((info.rejected ?? []).map(String).includes(member.email)) return permanent(`rejected by the server: ${info.response ?? ''}`);
      return sent(info.messageId ?? '');
    } catch (err) {
      return smtpFailure(err);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** SMTP 4xx and connection trouble are temporary; 5xx (no such mailbox, refused) and bad credentials are not. */
export function smtpFailure(err: unknown): ChannelResult {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const error = `${e.code ?? 'smtp'}${e.responseCode ? ` ${e.responseCode}` : ''}: ${e.response ?? e.message ?? String(err)}`.slice(0, 300);
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? permanent(error) : retry(error, 30_000);
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return permanent(error);
  return retry(error, 10_000);
}
