import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';
import { actBackSchema } from '../../src/notify/webhooks/body.js';

const base = `
teams:
  - { id: ops, name: Ops }
hostGroups:
  web: ["web-*"]
webhooks:
  - name: restart-nginx
    url: https://remediate.example.com/hooks/dutybot
    secret: \${NGINX_HOOK_SECRET}
    events: [opened, resolved]
    match: { labels: ['service="nginx"'], hostGroup: [web] }
  - { name: audit, url: "http://10.0.0.5:8080/in", secret: "audit-secret-0123456789", events: [claimed], timeout: 3s }
members:
  - { id: zhang, name: 张三 }
actions:
  - { name: restart-nginx, url: "https://remediate.example.com/restart", secret: "restart-secret-0123456", teams: [ops], members: [zhang] }
`;
const env = { NGINX_HOOK_SECRET: 'nginx-secret-0123456789' };
const broken = (from: string, to: string) => () => parseConfig(base.replace(from, to), env);

describe('config: outgoing webhooks', () => {
  it('accepts webhooks with their defaults and the secret from the environment', () => {
    const cfg = parseConfig(base, env);
    expect(cfg.webhooks[0]).toMatchObject({ name: 'restart-nginx', secret: 'nginx-secret-0123456789', timeout: '10s', unhealthyAfter: 3 });
    expect(cfg.webhooks[1]!.timeout).toBe('3s');
  });

  it('refuses bad values with their path', () => {
    expect(() => parseConfig(base, {})).toThrow(new ConfigError('environment variable NGINX_HOOK_SECRET is used in the config but not set'));
    expect(broken('name: audit', 'name: restart-nginx')).toThrow(new ConfigError('webhooks[1].name: duplicate webhook name "restart-nginx" (same as webhooks[0])'));
    expect(broken('events: [claimed]', 'events: [exploded]')).toThrow(/webhooks\[1\]\.events\[0\]/);
    expect(broken('events: [claimed]', 'events: []')).toThrow(/webhooks\[1\]\.events/);
    expect(broken('"http://10.0.0.5:8080/in"', 'ftp://x/in')).toThrow(/webhooks\[1\]\.url: an http\(s\) URL/);
    expect(broken('timeout: 3s', 'timeout: 10m')).toThrow(/webhooks\[1\]\.timeout: 10m is outside 100ms…2m/);
    expect(broken('hostGroup: [web]', 'hostGroup: [db]')).toThrow(/webhooks\[0\]\.match\.hostGroup\[0\]: unknown host group "db"/);
    expect(broken(`labels: ['service="nginx"']`, `labels: ['service=~"("']`)).toThrow(/webhooks\[0\]\.match\.labels\[0\]/);
    expect(broken('"audit-secret-0123456789"', 'short')).toThrow(/webhooks\[1\]\.secret: at least 16 characters/);
  });

  it('refuses remediation actions with unknown teams or members, or nobody allowed', () => {
    expect(parseConfig(base, env).actions[0]).toMatchObject({ name: 'restart-nginx', timeout: '10s' });
    expect(broken('teams: [ops], members: [zhang]', 'teams: [dba], members: [zhang]')).toThrow(/actions\[0\]\.teams\[0\]: unknown team "dba"/);
    expect(broken('teams: [ops], members: [zhang]', 'teams: [ops], members: [li]')).toThrow(/actions\[0\]\.members\[0\]: unknown member "li"/);
    expect(broken(', teams: [ops], members: [zhang]', '')).toThrow(/actions\[0\]: name who may run it/);
    // Defaults of the card button's options; an approval count more people than may give it.
    expect(parseConfig(base, env).actions[0]).toMatchObject({ confirm: false, approval: 1 });
    expect(parseConfig(base.replace('members: [zhang] }', 'members: [zhang], confirm: true, labelZh: 重启 nginx }'), env).actions[0]).toMatchObject({ confirm: true, labelZh: '重启 nginx' });
    expect(broken('members: [zhang] }', 'members: [zhang], approval: 2 }')).toThrow(/actions\[0\]\.approval: 2 approvals need at least 2 members allowed to run it \(1 are\)/);
    expect(broken('members: [zhang] }', 'members: [zhang], approval: 9 }')).toThrow(/actions\[0\]\.approval/);
  });
});

describe('the act-back answer', () => {
  it('is exactly {action, note?}', () => {
    expect(actBackSchema.safeParse({ action: 'resolve', note: 'restarted' }).success).toBe(true);
    expect(actBackSchema.safeParse({ action: 'claim' }).success).toBe(true);
    expect(actBackSchema.safeParse({ action: 'reboot' }).success).toBe(false);
    expect(actBackSchema.safeParse({ action: 'resolve', extra: 1 }).success).toBe(false);
    expect(actBackSchema.safeParse({ action: 'note', note: 'x'.repeat(501) }).success).toBe(false);
  });
});
