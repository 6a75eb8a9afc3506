import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { parseConfig } from '../../../src/config/load.js';

const base = `
members:
  - { id: alice, name: Alice }
teams:
  - { id: ops, name: Ops, members: [alice] }
`;

describe('notify: in the config', () => {
  it('defaults to no channels, 24 h links and 5 attempts', () => {
    expect(parseConfig(base).notify).toEqual({ linkTtl: '24h', maxAttempts: 5 });
  });

  it('reads the shipped example (Aliyun SMS and voice, email, webhooks)', () => {
    const env = new Proxy({}, { get: (_t, name) => `secret-value-for-${String(name)}` }) as NodeJS.ProcessEnv;
    const cfg = parseConfig(readFileSync(new URL('../../../dutybot.example.yaml', import.meta.url), 'utf8'), env);
    expect(cfg.notify.sms).toMatchObject({ provider: 'aliyun', regionId: 'cn-hangzhou', accessKeySecret: 'secret-value-for-ALIYUN_ACCESS_KEY_SECRET' });
    expect(cfg.notify.voice?.provider).toBe('aliyun');
  });

  it('the notify block of the example needs no variable in its comments (substitution reads comments too)', () => {
    const text = readFileSync(new URL('../../../dutybot.example.yaml', import.meta.url), 'utf8');
    const notify = text.slice(text.indexOf('\nnotify:'));
    expect(notify.split('\n').filter((l) => /^\s*#.*\$\{[A-Za-z_]/.test(l))).toEqual([]);
  });

  it('names the path of a wrong provider, a missing credential, a bad SID and a bad URL', () => {
    expect(() => parseConfig(`${base}notify: { sms: { provider: yunpian } }`)).toThrow(/^notify\.sms\.provider: /);
    expect(() => parseConfig(`${base}notify: { sms: { provider: aliyun, accessKeyId: a, signName: s, templateCode: t } }`)).toThrow(
      /^notify\.sms\.accessKeySecret: /,
    );
    expect(() => parseConfig(`${base}notify: { voice: { provider: twilio, accountSid: XY1, authToken: t, from: "+1" } }`)).toThrow(
      new ConfigError('notify.voice.accountSid: an account SID like AC + 32 hex digits'),
    );
    expect(() => parseConfig(`${base}notify: { email: { smtpUrl: "mail.example.com", from: a@b.c } }`)).toThrow(
      'notify.email.smtpUrl: an smtp:// or smtps:// URL',
    );
    expect(() => parseConfig(`${base}notify: { linkSecret: short }`)).toThrow('notify.linkSecret: at least 16 characters');
    expect(() => parseConfig(`${base}notify: { linkTtl: 1 day }`)).toThrow(/^notify\.linkTtl: a duration/);
    expect(() => parseConfig(`${base}notify: { smss: {} }`)).toThrow('notify: unknown key "smss"');
  });
});
