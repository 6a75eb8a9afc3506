import type { ChatAdapter, PlatformId } from '../bot/chat-adapter.js';
import type { NotifyConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { parseConfigDuration } from '../core/duration.js';
import type { Channel } from './channel.js';
import type { OutboxMessage } from './message.js';
import { AliyunSmsChannel, AliyunVoiceChannel } from './providers/aliyun.js';
import { AliyunIvrChannel, IvrOutIds } from './providers/aliyun-ivr.js';
import { DirectMessageChannel } from './providers/direct.js';
import { EmailChannel } from './providers/email.js';
import { TencentSmsChannel } from './providers/tencent.js';
import { TwilioSmsChannel, TwilioVoiceChannel } from './providers/twilio.js';
import { WebhookChannel, type HookDirectory } from './providers/webhook.js';

/** Where Aliyun pushes call receipts (VoiceReport) with the key pressed: set it in Aliyun's console. */
export const aliyunVoiceReportPath = (token: string): string => `/notify/aliyun/voice-report/${token}`;

/** Where Twilio posts the key pressed during a call (see src/http/link-routes.ts). */
export const twilioGatherPath = (token: string): string => `/notify/twilio/gather/${token}`;

/**
 * One channel per method, from `notify:` in the config (and `SMTP_URL`). A method without a
 * channel fails its rows for good, which starts their fallback.
 */
export function buildChannels(
  cfg: NotifyConfig,
  opts: { clock: Clock; adapters: ReadonlyMap<PlatformId, ChatAdapter>; env?: NodeJS.ProcessEnv; linksOn: boolean; hooks?: HookDirectory },
): Map<OutboxMessage['method'], Channel> {
  const out = new Map<OutboxMessage['method'], Channel>();
  out.set('dm', new DirectMessageChannel(opts.adapters));
  const smtpUrl = cfg.email?.smtpUrl ?? (opts.env ?? process.env).SMTP_URL;
  if (smtpUrl) out.set('email', new EmailChannel(smtpUrl, cfg.email?.from ?? 'dutybot <dutybot@localhost>'));
  if (cfg.sms?.provider === 'aliyun') out.set('sms', new AliyunSmsChannel(cfg.sms, opts.clock));
  if (cfg.sms?.provider === 'tencent') out.set('sms', new TencentSmsChannel(cfg.sms, opts.clock));
  if (cfg.sms?.provider === 'twilio') out.set('sms', new TwilioSmsChannel(cfg.sms));
  if (cfg.voice?.provider === 'aliyun') {
    // Press 1 to claim needs the interactive call and a secret to sign its OutId; else plain TTS.
    const ivr = cfg.voice.ivr;
    out.set(
      'voice',
      ivr && cfg.linkSecret
        ? new AliyunIvrChannel({ ...cfg.voice, ivr }, new IvrOutIds(cfg.linkSecret), opts.clock)
        : new AliyunVoiceChannel(cfg.voice, opts.clock),
    );
  }
  if (cfg.voice?.provider === 'twilio') {
    const base = cfg.publicUrl?.replace(/\/+$/, '');
    out.set('voice', new TwilioVoiceChannel(cfg.voice, base && opts.linksOn ? (t) => base + twilioGatherPath(t) : undefined));
  }
  if (cfg.webhook || opts.hooks) {
    out.set('webhook', new WebhookChannel(cfg.webhook?.secret, opts.clock, parseConfigDuration(cfg.webhook?.timeout ?? '10s') ?? 10_000, opts.hooks));
  }
  return out;
}
