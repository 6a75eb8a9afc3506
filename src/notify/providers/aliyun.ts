import { createHash } from 'node:crypto';
import type { SmsProviderConfig, VoiceProviderConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Channel, Delivery } from '../channel.js';
import { permanent, sent, type ChannelResult } from '../result.js';
import { rpcCall } from './aliyun-rpc.js';
import { outId, phoneOf } from './phone.js';

type AliyunSms = Extract<SmsProviderConfig, { provider: 'aliyun' }>;
type AliyunVoice = Extract<VoiceProviderConfig, { provider: 'aliyun' }>;

/**
 * Aliyun SMS (dysmsapi `SendSms`, version 2017-05-25): an approved template whose parameters are
 * severity, id, title and link. `OutId` carries a hash of the outbox row's `_id`, so the receipt
 * (and Aliyun's delivery report) can be matched to the row.
 */
export class AliyunSmsChannel implements Channel {
  readonly method = 'sms' as const;
  readonly provider = 'aliyun';
  constructor(
    private readonly cfg: AliyunSms,
    private readonly clock: Clock,
  ) {}

  async send(d: Delivery): Promise<ChannelResult> {
    const phone = phoneOf(d.member, true);
    if (typeof phone !== 'string') return phone;
    const r = await rpcCall(
      this.cfg.endpoint ?? 'https://dysmsapi.aliyuncs.com',
      'SendSms',
      '2017-05-25',
      this.cfg,
      {
        PhoneNumbers: phone,
        SignName: this.cfg.signName,
        TemplateCode: this.cfg.templateCode,
        TemplateParam: JSON.stringify(d.content.params),
        OutId: outId(d.row._id),
      },
      this.clock.now(),
    );
    if (!r.ok) return r.result;
    const bizId = r.body.BizId;
    return typeof bizId === 'string' && bizId ? sent(bizId) : permanent('SendSms answered OK without BizId');
  }
}

/** Aliyun's voice calls (`SingleCallByTts` and `IvrCall` alike) take an OutId of 1 to 15 bytes. */
export const VOICE_OUT_ID_BYTES = 15;

/**
 * The OutId of a plain TTS call: `t` and 14 base-36 digits (72 bits) of a SHA-256 of the outbox
 * row's `_id`, which itself is 60 bytes and more (`esc:<alert>:<run>:1:2:0:zhang:sms>voice`). The
 * same for every attempt of a row. It names no row by itself: the sender records which row it
 * stands for before the call (`receiptRef`, OutboxStore.rememberRef), and the receipt route
 * (src/http/aliyun-voice-report-routes.ts) finds the row by it. `t` first: an interactive call's
 * OutId starts with a digit (src/notify/providers/aliyun-ivr.ts).
 */
export function ttsOutId(rowId: string): string {
  const bits = BigInt(`0x${createHash('sha256').update(rowId).digest('hex').slice(0, 18)}`);
  return `t${bits.toString(36).padStart(VOICE_OUT_ID_BYTES - 1, '0').slice(-(VOICE_OUT_ID_BYTES - 1))}`;
}

export const isTtsOutId = (v: unknown): v is string => typeof v === 'string' && /^t[0-9a-z]{14}$/.test(v);

/**
 * Aliyun voice notification (dyvmsapi `SingleCallByTts`, version 2017-05-25): a TTS template read
 * twice, with severity, id and title. Plain TTS calls take no key presses (that needs Aliyun's IVR
 * product), so claiming from an Aliyun call goes through the SMS/email link instead. Its receipt
 * (the call's outcome) is matched to the row by the OutId.
 */
export class AliyunVoiceChannel implements Channel {
  readonly method = 'voice' as const;
  readonly provider = 'aliyun';
  constructor(
    private readonly cfg: AliyunVoice,
    private readonly clock: Clock,
  ) {}

  async send(d: Delivery): Promise<ChannelResult> {
    const phone = phoneOf(d.member, true);
    if (typeof phone !== 'string') return phone;
    const { severity, id, title } = d.content.params;
    return aliyunCall(this.cfg, 'SingleCallByTts', {
      CalledShowNumber: this.cfg.calledShowNumber,
      CalledNumber: phone,
      TtsCode: this.cfg.ttsCode,
      TtsParam: JSON.stringify({ severity, id, title }),
      PlayTimes: '2',
      OutId: this.receiptRef(d),
    }, this.clock.now());
  }

  receiptRef(d: Delivery): string {
    return ttsOutId(d.row._id);
  }
}

/** One call through Aliyun's voice service (dyvmsapi, version 2017-05-25); its receipt is the CallId. */
export async function aliyunCall(cfg: AliyunVoice, action: string, params: Record<string, string>, now: Date): Promise<ChannelResult> {
  const r = await rpcCall(cfg.endpoint ?? 'https://dyvmsapi.aliyuncs.com', action, '2017-05-25', cfg, params, now);
  if (!r.ok) return r.result;
  const callId = r.body.CallId;
  return typeof callId === 'string' && callId ? sent(callId) : permanent(`${action} answered OK without CallId`);
}
