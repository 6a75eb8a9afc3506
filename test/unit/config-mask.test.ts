import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from '../../src/config/load.js';
import { isSecretKey, MASK, maskSecrets, maskUrl } from '../../src/config/mask.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';

/** Every value a secret of these configurations holds contains this, so a leak shows anywhere. */
const S = 'S3CR3T';
const SID = 'AC0123456789abcdef0123456789abcdef';

/** What the console's configuration page shows, in both of its forms. */
const shown = (cfg: unknown): string => {
  const masked = maskSecrets(cfg);
  return `${JSON.stringify(masked)}\n${stringify(masked)}`;
};

/** Every secret the schema knows, set: robot URLs with tokens, SMTP password, providers' keys, OIDC. */
function everySecret(sms: 'tencent' | 'twilio'): ConfigInput {
  return {
    integrations: [{ name: 'rest', type: 'api', key: `${S}-integration-key`, team: 'ops' }],
    members: [{ id: 'zhang', name: '张三', apiToken: `${S}-api-token-zhang`, email: 'zhang@example.com' }],
    teams: [
      {
        id: 'ops',
        name: 'Ops',
        members: ['zhang'],
        channels: [
          { platform: 'dingtalk-webhook', url: `https://oapi.dingtalk.com/robot/send?access_token=${S}dingtalk`, secret: `SEC${S}-dingtalk-sign` },
          { platform: 'wecom-webhook', url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${S}-wecom-0000` },
          { platform: 'feishu-webhook', url: `https://open.feishu.cn/open-apis/bot/v2/hook/${S}-feishu-hook-0000`, secret: `${S}-feishu-sign` },
        ],
      },
    ],
    escalationPolicies: [{ id: 'p', levels: [{ after: '5m', notify: [{ url: `https://pager.example.com/hook?token=${S}-pager`, via: ['webhook'] }] }] }],
    notify: {
      publicUrl: 'https://dutybot.example.com',
      linkSecret: `${S}-link-secret-0000`,
      email: { smtpUrl: `smtps://dutybot%40example.com:${S}-smtp-password@smtp.example.com:465`, from: 'dutybot@example.com' },
      sms:
        sms === 'tencent'
          ? { provider: 'tencent', secretId: `AKID${S}-tencent`, secretKey: `${S}-tencent-key`, sdkAppId: '1400000000', signName: 'dutybot', templateId: '1' }
          : { provider: 'twilio', accountSid: SID, authToken: `${S}-twilio-token`, from: '+15550000000' },
      voice: {
        provider: 'aliyun',
        accessKeyId: `LTAI${S}-aliyun`,
        accessKeySecret: `${S}-aliyun-secret`,
        calledShowNumber: '057100000000',
        ttsCode: 'TTS_1',
        reportToken: `${S}-voice-report-token`,
        ivr: { startCode: 'TTS_2', claimedCode: 'TTS_3', reportToken: `${S}-ivr-report-token` },
      },
      webhook: { secret: `${S}-outbox-webhook-secret` },
    },
    webhooks: [{ name: 'audit', url: `https://user:${S}-basic@audit.example.com/in/${S}-path-token?sig=${S}-q`, secret: `${S}-webhook-secret`, events: ['opened'] }],
    actions: [{ name: 'restart', url: 'https://remediate.example.com/actions/restart', secret: `${S}-action-secret`, teams: ['ops'] }],
    analytics: { linkSecret: `${S}-chart-link-secret` },
    console: { oidc: { issuer: 'https://sso.example.com/realms/ops', clientId: 'dutybot', clientSecret: `${S}-oidc-client-secret` } },
  };
}

describe('the configuration as the console shows it: every secret masked', () => {
  it('no secret of a configuration that sets every one appears, in JSON or YAML', () => {
    for (const sms of ['tencent', 'twilio'] as const) {
      const cfg = parseConfig(JSON.stringify(everySecret(sms)), {});
      expect(JSON.stringify(cfg)).toContain(S); // the test's secrets really are in the loaded config
      const out = shown(cfg);
      expect(out).not.toContain(S);
      expect(out).not.toContain(SID);
      // What is not secret stays readable.
      expect(out).toContain('https://oapi.dingtalk.com/robot/send?access_token=' + MASK);
      expect(out).toContain('https://open.feishu.cn/open-apis/bot/v2/hook/' + MASK);
      expect(out).toContain('https://sso.example.com/realms/ops');
      expect(out).toContain('https://remediate.example.com/actions/restart');
      expect(out).toContain('smtp.example.com:465');
      expect(out).toContain('zhang@example.com');
    }
  });

  it('no secret of the shipped example appears (each ${VARIABLE} given a value)', () => {
    const text = readFileSync(new URL('../../dutybot.example.yaml', import.meta.url), 'utf8');
    const env = new Proxy({}, { get: (_t, name) => `${S}-${String(name)}-0000` }) as NodeJS.ProcessEnv;
    const cfg = parseConfig(text, env);
    expect(JSON.stringify(cfg)).toContain(S);
    expect(shown(cfg)).not.toContain(S);
    // Integration keys written in the file itself, not through a variable, are masked by their field's name.
    expect((maskSecrets(cfg) as { integrations: Array<{ key: string }> }).integrations.every((i) => i.key === MASK)).toBe(true);
  });

  it('a URL keeps its host and short path; its user, password, query values and token-long segments go', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx')).toBe(`https://hooks.slack.com/services/T0001/B0001/${MASK}`);
    expect(maskUrl('smtp://user:pw@mail.example.com:587')).toBe(`smtp://${MASK}@mail.example.com:587`);
    expect(maskUrl('https://dutybot.example.com')).toBe('https://dutybot.example.com');
    expect(maskUrl('https://x.example.com/a?b=1&c=2#frag')).toBe(`https://x.example.com/a?b=${MASK}&c=${MASK}#${MASK}`);
    expect(maskUrl('not a url')).toBe('not a url');
  });

  it('names a secret in any spelling', () => {
    for (const k of ['key', 'apiToken', 'clientSecret', 'accessKeyId', 'accountSid', 'smtp_password', 'private-key', 'apikey', 'reportToken', 'secretKey']) expect(isSecretKey(k), k).toBe(true);
    for (const k of ['name', 'monkeys', 'url', 'issuer', 'timeout', 'team']) expect(isSecretKey(k), k).toBe(false);
  });

  /**
   * The guard against forgetting: every field of the schema is either named as a secret (and so
   * masked) or listed here as known not to be one. A new field that is neither fails this test,
   * and whoever adds it decides: a secret's name, or this list.
   */
  it('every field of the configuration schema is either masked by its name or known not to be secret', () => {
    const NOT_SECRET = new Set(
      `ackTimeout actions admins after all among assign analytics application approval at calendar calendars calledShowNumber channel channels claim claimedCode
      clientId confirm console continue day days description dingtalk email enabled endpoint escalationPolicies escalationPolicy events feishu from grace
      handoff handoffNotice heartbeats holidays hostGroup hostGroups id integration integrations interval issuer ivr label labelZh labels layers levels
      linkTtl locale maintenance match maxAttempts member members mode name notTime notify oidc overrides paused phone platform provider publicUrl rawEventDays
      reason region regionId remindBefore repeat restrict retention room routes schedule schedules sdkAppId severity severityAtLeast shift signName
      slack sms smtpUrl snoozeMax source start startCode team teams templateCode templateId text time timeZone timeout title to ttsCode type
      unhealthyAfter url via voice watchdog webhook webhooks wechat weekdays weeklyReport workdays workingDays workingHours`.split(/\s+/),
    );
    const names = new Set<string>();
    const walk = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      const props = (n as { properties?: Record<string, unknown> }).properties;
      if (props) for (const k of Object.keys(props)) names.add(k);
      Object.values(n).forEach(walk);
    };
    walk(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }));
    const unclassified = [...names].filter((k) => !isSecretKey(k) && !NOT_SECRET.has(k));
    expect(unclassified, 'new config fields: give a secret a secret’s name (src/config/mask.ts), or list the field here').toEqual([]);
    expect([...names].filter(isSecretKey).sort()).toEqual(['accessKeyId', 'accessKeySecret', 'accountSid', 'apiToken', 'authToken', 'clientSecret', 'key', 'linkSecret', 'reportToken', 'secret', 'secretId', 'secretKey']);
  });
});
