import { describe, expect, it } from 'vitest';
import { ActionLinks } from '../../../src/notify/links.js';

const now = new Date('2026-11-27T09:00:00Z');
const links = new ActionLinks('link-secret-0123456789', 'https://dutybot.example.com/', 86_400_000);
const alertId = '6566f0c2a1b2c3d4e5f60718';

describe('personal action links', () => {
  it('are short, name their alert and member, and expire after their lifetime', () => {
    const url = links.url(alertId, 'zhang', now, 'row-1');
    expect(url).toMatch(/^https:\/\/dutybot\.example\.com\/l\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(url.length).toBeLessThan(140);
    const token = url.split('/l/')[1]!;
    const ok = links.check(token, new Date(now.getTime() + 3_600_000));
    expect(ok).toMatchObject({ ok: true, alertId, memberId: 'zhang' });
    expect(links.check(token, new Date(now.getTime() + 86_400_001))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('differ per message and refuse any change, and another secret', () => {
    const a = links.token(alertId, 'zhang', now, 'row-1');
    expect(links.token(alertId, 'zhang', now, 'row-2')).not.toBe(a);
    const [payload, mac] = a.split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('zhang', 'li__1')).toString('base64url');
    expect(links.check(`${forged}.${mac}`, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(new ActionLinks('another-secret-012345', 'https://x', 86_400_000).check(a, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(links.check('nonsense', now)).toEqual({ ok: false, reason: 'invalid' });
  });
});
