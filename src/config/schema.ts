import { z } from 'zod';
import { SOURCE_TYPES } from '../core/types.js';

/**
 * The shape of dutybot.yaml. Every object is strict: a misspelt key stops start-up with its path,
 * because a silently ignored `escalaton:` is worse than a refused start.
 */
const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use letters, digits, _ . - (at most 64)');
const secret = z.string().min(16, 'at least 16 characters');

const httpsUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

/**
 * Where a team's cards go. `channel` is the platform's id: a Slack channel id (C0123…), a DingTalk
 * group's openConversationId; `room` a WeChat group's topic or id; robot webhooks are their URL.
 */
export const channelSchema = z.discriminatedUnion('platform', [
  z.strictObject({ platform: z.literal('slack'), channel: z.string().min(1) }),
  z.strictObject({ platform: z.literal('dingtalk'), channel: z.string().min(1) }),
  z.strictObject({ platform: z.literal('dingtalk-webhook'), url: httpsUrl, secret: z.string().min(1).optional() }),
  z.strictObject({ platform: z.literal('wechat'), room: z.string().min(1) }),
  z.strictObject({ platform: z.literal('wecom-webhook'), url: httpsUrl }),
]);

export const integrationSchema = z.strictObject({
  name: id,
  type: z.enum(SOURCE_TYPES as [string, ...string[]]),
  key: secret,
  team: id,
  application: z.string().min(1).max(100).optional(),
});

export const memberSchema = z.strictObject({
  id,
  name: z.string().min(1).max(100),
  email: z.email().optional(),
  phone: z.string().regex(/^\+?[0-9 -]{5,20}$/, 'a phone number like +8613800000000').optional(),
  apiToken: secret.optional(),
  slack: z.string().min(1).optional(),
  dingtalk: z.string().min(1).optional(),
  wechat: z.string().min(1).optional(),
});

export const teamSchema = z.strictObject({
  id,
  name: z.string().min(1).max(100),
  members: z.array(z.string()).default([]),
  channels: z.array(channelSchema).default([]),
  locale: z.enum(['zh', 'en']).optional(),
});

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone like Asia/Shanghai');

export const configSchema = z.strictObject({
  locale: z.enum(['zh', 'en']).default('zh'),
  /** Times on cards and in chat answers are shown in this zone. */
  timeZone: timeZone.default('Asia/Shanghai'),
  integrations: z.array(integrationSchema).default([]),
  members: z.array(memberSchema).default([]),
  teams: z.array(teamSchema).default([]),
  retention: z
    .strictObject({
      /** Raw copies of accepted events are kept this long for audit and replay. */
      rawEventDays: z.number().int().min(1).max(3650).default(30),
    })
    .default({ rawEventDays: 30 }),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type Integration = z.output<typeof integrationSchema> & { application: string };
export type Member = z.output<typeof memberSchema>;
export type Team = z.output<typeof teamSchema>;
export type ChannelRef = z.output<typeof channelSchema>;
