import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Member, VoiceProviderConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import { parseConfigDuration } from '../../core/duration.js';
import type { Channel, Delivery } from '../channel.js';
import type { ChannelResult } from '../result.js';
import { aliyunCall } from './aliyun.js';
import { phoneOf } from './phone.js';

type AliyunVoice = Extract<VoiceProviderConfig, { provider: 'aliyun' }>;
export type AliyunIvr = NonNullable<AliyunVoice['ivr']>;

/** `IvrCall`'s OutId takes 1 to 15 bytes, and it is all that comes back with the key pressed. */
export const IVR_OUT_ID_BYTES = 15;

/**
 * The OutId of an interactive call: which alert and who was called, signed. It has to fit in 15
 * bytes, so it is `<n><alert short id, base 36, n digits><HMAC-SHA256 in hex, the rest>` and names
 * no member: the receipt finds the member whose MAC matches (a few hundred HMACs at most). The key
 * is derived from `notify.linkSecret` for this purpose alone. At least 6 hex digits (24 bits) of
 * MAC remain for short ids below 36^8; together with the secret receipt URL and the single use of
 * each call id, that is what stands between a forged receipt and a claim (Aliyun signs nothing).
 */
export class IvrOutIds {
  private readonly key: Buffer;

  constructor(linkSecret: string) {
    this.key = createHash('sha256').update(`dutybot aliyun ivr\0${linkSecret}`).digest();
  }

  make(shortId: number, memberId: string): string {
    const id = shortId.toString(36);
    if (id.length > 8) throw new Error(`short id ${shortId} too long for an IvrCall OutId`);
    const head = `${id.length}${id}`;
    return head + this.mac(shortId, memberId).slice(0, IVR_OUT_ID_BYTES - head.length);
  }

  /** The alert and member an OutId names, or null when it is not one of ours. */
  read(outId: unknown, members: readonly Member[]): { shortId: number; member: Member } | null {
    if (typeof outId !== 'string' || !/^[1-8][0-9a-z]{1,8}[0-9a-f]{6,13}$/.test(outId) || outId.length !== IVR_OUT_ID_BYTES) return null;
    const n = Number(outId[0]);
    const shortId = parseInt(outId.slice(1, 1 + n), 36);
    const mac = Buffer.from(outId.slice(1 + n));
    if (!Number.isSafeInteger(shortId) || shortId < 1) return null;
    for (const member of members) {
      const want = Buffer.from(this.mac(shortId, member.id).slice(0, mac.length));
      if (timingSafeEqual(want, mac)) return { shortId, member };
    }
    return null;
  }

  private mac(shortId: number, memberId: string): string {
    return createHmac('sha256', this.key).update(`${shortId}\0${memberId}`).digest('hex');
  }
}

/**
 * Aliyun's interactive voice call (dyvmsapi `IvrCall`, version 2017-05-25): `startCode` (a TTS
 * template with severity, id and title that asks to press 1) is played, key 1 plays `claimedCode`.
 * Aliyun reports the key pressed (`dtmf`) with the OutId in its call receipt (VoiceReport, HTTP
 * batch push), which src/http/aliyun-voice-report-routes.ts turns into a claim. `MenuKeyMap` is a
 * repeated parameter, flattened as `MenuKeyMap.1.Key` / `MenuKeyMap.1.Code` like Aliyun's SDKs do.
 */
export class AliyunIvrChannel implements Channel {
  readonly method = 'voice' as const;
  readonly provider = 'aliyun';
  constructor(
    private readonly cfg: AliyunVoice & { ivr: AliyunIvr },
    private readonly outIds: IvrOutIds,
    private readonly clock: Clock,
  ) {}

  async send(d: Delivery): Promise<ChannelResult> {
    const phone = phoneOf(d.member, true);
    if (typeof phone !== 'string') return phone;
    const { severity, id, title } = d.content.params;
    return aliyunCall(this.cfg, 'IvrCall', {
      CalledShowNumber: this.cfg.calledShowNumber,
      CalledNumber: phone,
      StartCode: this.cfg.ivr.startCode,
      StartTtsParams: JSON.stringify({ severity, id, title }),
      'MenuKeyMap.1.Key': '1',
      'MenuKeyMap.1.Code': this.cfg.ivr.claimedCode,
      PlayTimes: '2',
      Timeout: String(parseConfigDuration(this.cfg.ivr.timeout) ?? 8000),
      OutId: this.outIds.make(d.alert.shortId, d.member!.id),
    }, this.clock.now());
  }
}
