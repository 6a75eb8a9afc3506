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
  z.strictObject({ platform: z.literal('feishu'), channel: z.string().min(1) }),
  z.strictObject({ platform: z.literal('feishu-webhook'), url: httpsUrl, secret: z.string().min(1).optional() }),
]);

/**
 * The chat platforms whose people map to members (`members[].<id>`): their names in each language,
 * and the channel kinds (`teams[].channels[].platform`) whose users they are. The order is the
 * order paging by `dm` tries them in. A new platform adds its entry here, its channel kinds above
 * and its member field below; the core needs nothing else.
 */
export const CHAT_IDENTITIES = {
  slack: { zh: 'Slack', en: 'Slack', channels: ['slack'] },
  dingtalk: { zh: '钉钉', en: 'DingTalk', channels: ['dingtalk', 'dingtalk-webhook'] },
  wechat: { zh: '微信', en: 'WeChat', channels: ['wechat', 'wecom-webhook'] },
  feishu: { zh: '飞书', en: 'Feishu', channels: ['feishu', 'feishu-webhook'] },
} as const satisfies Record<string, { zh: string; en: string; channels: readonly ChannelRef['platform'][] }>;

export const integrationSchema = z.strictObject({
  name: id,
  type: z.enum(SOURCE_TYPES as [string, ...string[]]),
  key: secret,
  team: id,
  application: z.string().min(1).max(100).optional(),
  /** Alertmanager: the always-firing alert (`Watchdog`) whose arrival pings this integration's heartbeat. */
  watchdog: z.string().min(1).max(200).optional(),
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
  /** Feishu open_id (`ou_…`) or user_id, as FEISHU_USER_ID_TYPE says (docs/feishu.md). */
  feishu: z.string().min(1).optional(),
  /** Away (leave, muted): round-robin assignment (`teams[].assign`) skips them. */
  paused: z.boolean().optional(),
});

export const teamSchema = z.strictObject({
  id,
  name: z.string().min(1).max(100),
  members: z.array(z.string()).default([]),
  channels: z.array(channelSchema).default([]),
  locale: z.enum(['zh', 'en']).optional(),
  /** The policy of alerts routed to this team when their route names none. */
  escalationPolicy: id.optional(),
  /** The team's on-call schedule (`oncall <team>` shows it). */
  schedule: id.optional(),
  /** Members who may remove anyone's cover on the team's schedule (`override remove`). */
  admins: z.array(id).default([]),
  /**
   * Round-robin: each new alert routed to the team names the next member in turn on its card and
   * @-mentions them (they still claim it). `among: on-call` (default) takes turns among the team's
   * members on call now; `team` among all its members. Paused members are skipped.
   */
  assign: z.strictObject({ mode: z.literal('round-robin'), among: z.enum(['on-call', 'team']).default('on-call') }).optional(),
});

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone like Asia/Shanghai');

/**
 * `30s`, `5m`, `1h`, `1h30m`, `2d`, `1w` (see src/core/duration.ts). Seconds are allowed so that
 * tests and demos run fast.
 */
export const durationText = z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, 'a duration like 30s, 5m, 1h, 1h30m, 2d');
/** `HH:mm`, 24-hour. */
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day like 09:00');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-10-01');

/**
 * A time window: days of the week and hours in a zone, and/or a named calendar's working days.
 * `from` > `to` wraps midnight (`22:00`–`08:00`). All given parts must hold.
 */
export const timeWindowSchema = z.strictObject({
  days: z.array(weekday).optional(),
  from: timeOfDay.optional(),
  to: timeOfDay.optional(),
  timeZone: timeZone.optional(),
  /** Names a `calendars` entry; with `workingDays: true|false` the window holds on its working days / on its days off. */
  calendar: id.optional(),
  workingDays: z.boolean().optional(),
});

/**
 * Which alerts a rule applies to; every given matcher must hold (AND). Shared by routes,
 * maintenance windows and outgoing webhooks. Label matchers use Prometheus syntax:
 * `env="prod"`, `env!="dev"`, `service=~"nginx|mysql"`, `service!~"test.*"`.
 */
export const matchersSchema = z.strictObject({
  integration: z.array(z.string().min(1)).optional(),
  application: z.array(z.string().min(1)).optional(),
  source: z.array(z.enum(SOURCE_TYPES as [string, ...string[]])).optional(),
  severity: z.array(z.enum(['critical', 'warning', 'info'])).optional(),
  /** `warning` means warning or critical. */
  severityAtLeast: z.enum(['critical', 'warning', 'info']).optional(),
  labels: z.array(z.string().min(3)).optional(),
  /** Names of `hostGroups`; the alert's host must be in one of them. */
  hostGroup: z.array(id).optional(),
  /** Regular expressions (JavaScript syntax, case-insensitive). */
  title: z.string().min(1).optional(),
  description: z.string().min(1).optional(),
  /** Title or description. */
  text: z.string().min(1).optional(),
  /** When the alert arrives; `notTime` excludes a window. */
  time: timeWindowSchema.optional(),
  notTime: timeWindowSchema.optional(),
});

/** An ordered dispatch rule: first match wins unless `continue: true`. A rule with no `match` matches everything. */
export const routeSchema = z.strictObject({
  name: id,
  match: matchersSchema.optional(),
  teams: z.array(id).min(1),
  escalationPolicy: id.optional(),
  /** Channels beyond the teams' own. */
  channels: z.array(channelSchema).default([]),
  continue: z.boolean().default(false),
});

/** Named lists of host names or patterns: `web-*` (glob) or `/^db-\d+$/` (regex). */
export const hostGroupsSchema = z.record(id, z.array(z.string().min(1)).min(1));

/** Holidays and the weekend days that are working days this year (调休). */
export const calendarSchema = z.strictObject({
  holidays: z.array(isoDate).default([]),
  workdays: z.array(isoDate).default([]),
  /** Days of the week that are working days unless listed as holidays. */
  weekdays: z.array(weekday).default(['mon', 'tue', 'wed', 'thu', 'fri']),
});

/** One rotation of an on-call schedule. */
export const layerSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  members: z.array(id).min(1, 'a rotation needs at least one member'),
  /** `daily`, `weekly`, or a duration (`12h`). */
  shift: z.union([z.enum(['daily', 'weekly']), durationText]),
  /** The first shift starts on this date at `handoff`, in the schedule's zone. */
  start: isoDate,
  handoff: timeOfDay.default('09:00'),
  /** The layer is on call only inside this window (e.g. nights); outside, lower layers answer. */
  restrict: timeWindowSchema.optional(),
});

export const overrideSchema = z.strictObject({
  member: id,
  /** ISO-8601 local times in the schedule's zone (`2026-12-05T09:00`) or with an offset. */
  from: z.string().min(10),
  to: z.string().min(10),
});

/** Layers: the last layer that has someone on call at an instant wins; overrides beat layers. */
export const scheduleSchema = z.strictObject({
  id,
  name: z.string().min(1).max(100),
  timeZone: timeZone.default('Asia/Shanghai'),
  layers: z.array(layerSchema).min(1),
  overrides: z.array(overrideSchema).default([]),
  /** At each change of the on-call person, a notice in the owning teams' channels (src/oncall/handoffs.ts). */
  handoffNotice: z.boolean().default(true),
  /** A direct message to the person this long before their shift starts; `off` sends none. */
  remindBefore: z.union([durationText, z.literal('off')]).default('1h'),
});

export const notifyMethodSchema = z.enum(['chat', 'mention', 'dm', 'sms', 'voice', 'email', 'webhook']);

/**
 * Who a level notifies: exactly one of schedule (its on-call person), member, or team (its
 * channels); or, for `via: [webhook]` alone, only a `url` (src/config/check-oncall.ts).
 */
export const escalationTargetSchema = z.strictObject({
  schedule: id.optional(),
  member: id.optional(),
  team: id.optional(),
  /** Where `webhook` posts (required when `via` lists `webhook`). */
  url: httpsUrl.optional(),
  /** Tried in order: a method that fails for good falls back to the next. */
  via: z.array(notifyMethodSchema).min(1),
});

export const escalationPolicySchema = z.strictObject({
  id,
  name: z.string().min(1).max(100).optional(),
  levels: z
    .array(
      z.strictObject({
        /** Time since the alert opened (for the first cycle) at which this level fires. */
        after: durationText,
        notify: z.array(escalationTargetSchema).min(1),
      }),
    )
    .min(1),
  /** How many times the whole policy runs again after its last level (0 = once). */
  repeat: z.number().int().min(0).max(10).default(0),
  /** A claimed alert not resolved within this time returns to triggered (issue: ack timeout). */
  ackTimeout: durationText.optional(),
  /** How far `snooze` may push an ack timeout out from now (validated in src/config/check-oncall.ts). */
  snoozeMax: durationText.default('4h'),
});

/** A provider's base URL (tests point it at a local fake); defaults to the provider's public API. */
const endpoint = z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional();

/** One Twilio account serves both SMS and voice. */
const twilioSchema = z.strictObject({
  provider: z.literal('twilio'),
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an account SID like AC + 32 hex digits'),
  authToken: z.string().min(1),
  from: z.string().min(1),
  endpoint,
});

/** Aliyun's AccessKey pair and region, shared by its SMS and voice products. */
const aliyunAccount = {
  provider: z.literal('aliyun'),
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  regionId: z.string().min(1).default('cn-hangzhou'),
  endpoint,
};

/** SMS providers: Aliyun (dysmsapi) and Tencent Cloud for China, Twilio elsewhere. */
export const smsProviderSchema = z.discriminatedUnion('provider', [
  z.strictObject({
    ...aliyunAccount,
    signName: z.string().min(1),
    /** An approved notification template with the parameters severity, id, title, link. */
    templateCode: z.string().min(1),
  }),
  z.strictObject({
    provider: z.literal('tencent'),
    secretId: z.string().min(1),
    secretKey: z.string().min(1),
    sdkAppId: z.string().min(1),
    signName: z.string().min(1),
    /** An approved template with four parameters: {1} severity, {2} id, {3} title, {4} link. */
    templateId: z.string().min(1),
    region: z.string().min(1).default('ap-guangzhou'),
    endpoint,
  }),
  twilioSchema,
]);

/** Voice providers: Aliyun voice notification (TTS template), Twilio (reads the title, press 1 to claim). */
export const voiceProviderSchema = z.discriminatedUnion('provider', [
  z.strictObject({
    ...aliyunAccount,
    /** The number shown to the callee (a number bought in the console). */
    calledShowNumber: z.string().min(1),
    /** An approved TTS template with the parameters severity, id, title. */
    ttsCode: z.string().min(1),
    /**
     * The secret last part of the receipt URL set in Aliyun's console (Aliyun does not sign its
     * pushes): each call's outcome goes on the alert's timeline. `ivr.reportToken`, when given, is
     * the same thing (src/http/aliyun-voice-report-routes.ts).
     */
    reportToken: secret.optional(),
    /**
     * Press 1 to claim, with Aliyun's interactive call (dyvmsapi `IvrCall`); absent, calls are
     * plain TTS (`SingleCallByTts`) and take no key. Needs `notify.linkSecret` (src/notify/providers/aliyun-ivr.ts).
     */
    ivr: z
      .strictObject({
        /** An approved TTS template with severity, id, title that asks to press 1 to claim. */
        startCode: z.string().min(1),
        /** An approved TTS template without parameters, played when 1 is pressed ("已收到，正在为你认领"). */
        claimedCode: z.string().min(1),
        /** How long the call waits for a key. */
        timeout: durationText.default('8s'),
        /** The secret last part of the receipt URL set in Aliyun's console (Aliyun does not sign its pushes). */
        reportToken: secret,
      })
      .optional(),
  }),
  twilioSchema,
]);

/** Paging outside chat: links, email, SMS, voice, outgoing webhooks (src/notify/). */
export const notifySchema = z.strictObject({
  /** The address people reach dutybot at; personal action links and Twilio callbacks use it. */
  publicUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
  /** Signs personal action links (HMAC-SHA256). */
  linkSecret: secret.optional(),
  /** How long a personal action link works. */
  linkTtl: durationText.default('24h'),
  email: z
    .strictObject({
      /** `smtp://user:pass@host:587` or `smtps://…:465`; absent means the `SMTP_URL` environment variable. */
      smtpUrl: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').optional(),
      from: z.string().min(3),
    })
    .optional(),
  sms: smsProviderSchema.optional(),
  voice: voiceProviderSchema.optional(),
  /** Outgoing webhook rows are signed with this secret (HMAC-SHA256 of `<timestamp>.<body>`). */
  webhook: z.strictObject({ secret, timeout: durationText.default('10s') }).optional(),
  /** A message still failing after this many attempts fails for good (and falls back). */
  maxAttempts: z.number().int().min(1).max(20).default(5),
});

/**
 * A dead man's switch: no ping for `interval + grace` opens one alert. `integration` names the
 * integration whose Watchdog pings it (its team is the default team); pings by URL are
 * authenticated by any integration key of the heartbeat's team.
 */
export const heartbeatSchema = z.strictObject({
  name: id,
  team: id.optional(),
  integration: id.optional(),
  /** Labels on the alert it opens, so routes can match it (`labels: {service: backup}`). */
  labels: z.record(z.string().min(1), z.string()).default({}),
  interval: durationText,
  grace: durationText.default('0s'),
  severity: z.enum(['critical', 'warning', 'info']).default('critical'),
  enabled: z.boolean().default(true),
});

/** A recurring maintenance window: matching alerts open while `time` holds post no card and page nobody. */
export const recurringMaintenanceSchema = z.strictObject({
  name: id,
  match: matchersSchema.optional(),
  /** Required; `match: {}` (or none) needs `all: true`, so one cannot silence everything by mistake. */
  all: z.boolean().default(false),
  time: timeWindowSchema,
  reason: z.string().max(500).optional(),
});

/** Working hours for the "out of working hours" figure: days and a time span in the team's zone. */
export const workingHoursSchema = z.strictObject({
  days: z.array(weekday).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  from: timeOfDay.default('09:00'),
  to: timeOfDay.default('18:00'),
});

/** When a team's weekly report goes out, and where (the team's own channels when `channels` is absent). */
export const weeklyReportSchema = z.strictObject({
  enabled: z.boolean().default(true),
  day: weekday.default('mon'),
  at: timeOfDay.default('09:00'),
  channels: z.array(channelSchema).optional(),
});

/** Analytics (docs/decisions/0011): figures, chart links and the weekly report. */
export const analyticsSchema = z.strictObject({
  workingHours: workingHoursSchema.default({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' }),
  weeklyReport: weeklyReportSchema.default({ enabled: true, day: 'mon', at: '09:00' }),
  /** Per team: its zone (day buckets, working hours, report time) and its own report settings. */
  teams: z
    .record(id, z.strictObject({ timeZone: timeZone.optional(), weeklyReport: weeklyReportSchema.partial().optional() }))
    .default({}),
  /** dutybot's address as chat platforms reach it, for chart images (`https://dutybot.example.com`). */
  publicUrl: httpsUrl.optional(),
  /** Signs chart links; without it a random key per process is used (links die on restart). */
  linkSecret: secret.optional(),
  /** How long a chart link stays valid. */
  linkTtl: durationText.default('7d'),
});

/** What outgoing webhooks can subscribe to (src/notify/webhooks/). */
export const WEBHOOK_EVENTS = ['opened', 'claimed', 'escalated', 'resolved', 'muted', 'unmuted', 'reassigned', 'reopened', 'snoozed'] as const;

/** An outgoing webhook: matching alerts' events POSTed, signed, through the outbox (docs/decisions/0014). */
export const webhookSchema = z.strictObject({
  name: id,
  url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
  /** Signs every request (HMAC-SHA256 of `<timestamp>.<body>`); write `${ENV_VAR}`. */
  secret,
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1),
  match: matchersSchema.optional(),
  timeout: durationText.default('10s'),
  /** Consecutive failed attempts after which it is reported unhealthy (/readyz detail, /metrics, the log). */
  unhealthyAfter: z.number().int().min(1).max(100).default(3),
});

/**
 * A remediation action people run from chat (`run restart-nginx 42`): a signed POST to `url`
 * (same headers as outgoing webhooks), allowed for matching alerts and listed teams/members.
 */
export const remediationActionSchema = z.strictObject({
  name: id,
  /** Shown in answers and help: "Restart nginx on web-03". */
  label: z.string().min(1).max(80).optional(),
  url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
  secret,
  match: matchersSchema.optional(),
  /** Who may run it: members of these teams, and these members. Both absent: nobody (say who). */
  teams: z.array(id).default([]),
  members: z.array(id).default([]),
  timeout: durationText.default('10s'),
  /** The button's text on Chinese cards (`label` on English ones); `{host}` and `{service}` are filled from the alert. */
  labelZh: z.string().min(1).max(80).optional(),
  /** Ask the person to confirm before it runs (Slack: the button's dialog; elsewhere: click or send again within 2 minutes). */
  confirm: z.boolean().default(false),
  /** How many different allowed members must click (or type `run`) before it runs; 1: the first one runs it. */
  approval: z.number().int().min(1).max(5).default(1),
});

/**
 * Single sign-on to the web console with the company's OpenID Connect provider (docs/console.md).
 * Register `<console URL>/console/oidc/callback` as the client's redirect URI there.
 */
export const consoleOidcSchema = z.strictObject({
  /** The issuer URL; its `/.well-known/openid-configuration` is read at the first sign-in. */
  issuer: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
  clientId: z.string().min(1),
  /** Write `${ENV_VAR}`: the secret is not for the config file. */
  clientSecret: z.string().min(1),
  /** The ID token's claim whose value is a member's `email` (compared without case). */
  claim: z.string().min(1).default('email'),
  /** Members who sign in as admins this way (everyone else signs in as a member). */
  admins: z.array(id).default([]),
});

export const configSchema = z.strictObject({
  locale: z.enum(['zh', 'en']).default('zh'),
  /** Times on cards and in chat answers are shown in this zone. */
  timeZone: timeZone.default('Asia/Shanghai'),
  integrations: z.array(integrationSchema).default([]),
  members: z.array(memberSchema).default([]),
  teams: z.array(teamSchema).default([]),
  hostGroups: hostGroupsSchema.default({}),
  calendars: z.record(id, calendarSchema).default({}),
  routes: z.array(routeSchema).default([]),
  schedules: z.array(scheduleSchema).default([]),
  escalationPolicies: z.array(escalationPolicySchema).default([]),
  heartbeats: z.array(heartbeatSchema).default([]),
  maintenance: z.array(recurringMaintenanceSchema).default([]),
  analytics: analyticsSchema.default(() => analyticsSchema.parse({})),
  retention: z
    .strictObject({
      /** Raw copies of accepted events are kept this long for audit and replay. */
      rawEventDays: z.number().int().min(1).max(3650).default(30),
    })
    .default({ rawEventDays: 30 }),
  notify: notifySchema.default({ linkTtl: '24h', maxAttempts: 5 }),
  webhooks: z.array(webhookSchema).default([]),
  actions: z.array(remediationActionSchema).default([]),
  console: z.strictObject({ oidc: consoleOidcSchema.optional() }).default({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type Integration = z.output<typeof integrationSchema> & { application: string };
export type Member = z.output<typeof memberSchema>;
export type ConsoleOidc = z.output<typeof consoleOidcSchema>;
export type Team = z.output<typeof teamSchema>;
export type ChannelRef = z.output<typeof channelSchema>;
export type TimeWindow = z.output<typeof timeWindowSchema>;
export type Matchers = z.output<typeof matchersSchema>;
export type Route = z.output<typeof routeSchema>;
export type Calendar = z.output<typeof calendarSchema>;
export type Schedule = z.output<typeof scheduleSchema>;
export type ScheduleLayer = z.output<typeof layerSchema>;
export type ScheduleOverride = z.output<typeof overrideSchema>;
export type NotifyMethod = z.output<typeof notifyMethodSchema>;
export type EscalationTarget = z.output<typeof escalationTargetSchema>;
export type EscalationPolicy = z.output<typeof escalationPolicySchema>;
export type NotifyConfig = z.output<typeof notifySchema>;
export type SmsProviderConfig = z.output<typeof smsProviderSchema>;
export type VoiceProviderConfig = z.output<typeof voiceProviderSchema>;
export type HeartbeatConfig = z.output<typeof heartbeatSchema>;
export type RecurringMaintenance = z.output<typeof recurringMaintenanceSchema>;
export type AnalyticsConfig = z.output<typeof analyticsSchema>;
export type WorkingHours = z.output<typeof workingHoursSchema>;
export type WeeklyReportConfig = z.output<typeof weeklyReportSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export type RemediationAction = z.output<typeof remediationActionSchema>;
