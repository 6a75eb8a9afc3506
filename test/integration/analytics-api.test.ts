import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/clock.js';
import { KEYS, TOKENS, startTestBot, type TestBot } from '../support/bot.js';

/**
 * Alerts go through the real ingestion and action paths (REST) on a fake clock; the analytics
 * facts follow from the domain events, and the API's figures equal the hand-computed ones.
 */
describe('analytics over REST', () => {
  let bot: TestBot;
  const ids: Record<string, string> = {};

  async function trigger(key: string, title = key): Promise<string> {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: key, title, severity: 'critical' }, KEYS.api);
    expect(res.status).toBeLessThan(300);
    return ((await res.json()) as { alertId: string }).alertId;
  }
  async function act(id: string, action: string, token: string, body: unknown = {}): Promise<void> {
    const res = await bot.post(`/api/v1/alerts/${id}/${action}`, body, token);
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    // Monday 2026-11-23 10:00 in Shanghai.
    bot = await startTestBot({ clock: new FakeClock('2026-11-23T02:00:00Z') });
    ids.a = await trigger('disk-a', 'Disk full on web-1');
    bot.clock.advance(5 * 60_000);
    await act(ids.a, 'claim', TOKENS.zhang); // 300 s to claim
    bot.clock.advance(60 * 60_000);
    await act(ids.a, 'resolve', TOKENS.zhang); // 3900 s to resolve
    // 22:00 local: out of hours; 李四 claims after 15 min, the source resolves after 2 h.
    bot.clock.set('2026-11-23T14:00:00Z');
    ids.b = await trigger('cpu-b', 'CPU 99% on db-1');
    await trigger('cpu-b', 'CPU 99% on db-1');
    await trigger('cpu-b', 'CPU 99% on db-1');
    bot.clock.advance(15 * 60_000);
    await act(ids.b, 'claim', TOKENS.li);
    bot.clock.advance(105 * 60_000);
    const res = await bot.post('/api/v1/events', { eventType: 'resolve', dedupKey: 'cpu-b', title: 'ok', severity: 'critical' }, KEYS.api);
    expect(res.status).toBeLessThan(300);
    // Still open at the end of the week.
    bot.clock.set('2026-11-25T03:00:00Z');
    ids.c = await trigger('mem-c', 'Memory on app-2');
    bot.clock.set('2026-11-30T01:00:00Z');
    await bot.analytics.recorder.settled();
  });
  afterAll(async () => bot?.stop());

  const week = 'from=2026-11-23&to=2026-11-30';

  it('per team: counts, MTTA and MTTR of the week as things stood at its end', async () => {
    const res = await bot.get(`/api/v1/analytics?by=team&${week}`, TOKENS.wang);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: Array<Record<string, unknown>>; timeZone: string; from: string; noisiest: unknown };
    expect(body.timeZone).toBe('Asia/Shanghai');
    expect(body.noisiest).toMatchObject({
      alerts: [{ dedupKey: 'cpu-b', alerts: 1, events: 3 }, {}, {}],
      sources: [{ integration: 'rest', alerts: 3, events: 5 }],
      rules: [],
    });
    expect(body.from).toBe('2026-11-22T16:00:00.000Z');
    expect(body.rows).toEqual([
      {
        key: 'ops',
        opened: 3,
        claimed: 2,
        resolved: 2,
        resolvedByPerson: 1,
        resolvedBySource: 1,
        resolvedBeforeClaim: 0,
        openAtEnd: 1,
        escalated: 0,
        muted: 0,
        offHours: 1,
        mttaSeconds: 600,
        mttaP90Seconds: 900,
        mttrSeconds: Math.round((3900 + 7200) / 2),
        mttrP90Seconds: 7200,
        mttdSeconds: 0,
        mttdP90Seconds: 0,
      },
    ]);
  });

  it('each day of the period, in the team\'s days, with its alerts\' figures; days=30 for the last 30 days', async () => {
    const body = (await (await bot.get(`/api/v1/analytics?by=team&${week}`, TOKENS.wang)).json()) as { days: Array<Record<string, unknown>> };
    expect(body.days.map((d) => d.day)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    // Monday: A (claim 300 s, resolve 3900 s) and B (claim 900 s, resolve 7200 s); Wednesday: C, still open.
    expect(body.days[0]).toMatchObject({ opened: 2, claimed: 2, resolved: 2, mttaSeconds: 600, mttaP90Seconds: 900, mttrSeconds: 5550, mttrP90Seconds: 7200, mttdSeconds: 0 });
    expect(body.days[2]).toMatchObject({ opened: 1, claimed: 0, resolved: 0, openAtEnd: 1, mttaSeconds: null, mttrSeconds: null });
    expect(body.days[1]).toMatchObject({ opened: 0, mttdSeconds: null });

    const month = (await (await bot.get('/api/v1/analytics?days=30', TOKENS.wang)).json()) as { from: string; to: string; rows: Array<{ opened: number }> };
    expect([month.from, month.to]).toEqual(['2026-10-31T01:00:00.000Z', '2026-11-30T01:00:00.000Z']);
    expect(month.rows[0]!.opened).toBe(3);
    const bad = await bot.get('/api/v1/analytics?days=400', TOKENS.wang);
    expect([bad.status, ((await bad.json()) as { field: string }).field]).toEqual([400, 'days']);
  });

  it('per member, with names; as CSV by format=csv or Accept: text/csv', async () => {
    const json = (await (await bot.get(`/api/v1/analytics?by=member&${week}`, TOKENS.wang)).json()) as { rows: Array<Record<string, unknown>> };
    expect(json.rows.map((r) => [r.key, r.name, r.claims, r.mttaSeconds, r.resolves])).toEqual([
      ['li', '李四', 1, 900, 0],
      ['zhang', '张三', 1, 300, 1],
    ]);
    const csv = await bot.get(`/api/v1/analytics?by=application&${week}&format=csv`, TOKENS.wang);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^application,opened,claimed,resolved,/);
    expect(lines[1]).toMatch(/^billing,3,2,2,1,1,0,1,0,0,1,600,900,5550,7200,0,0$/);
    const byAccept = await fetch(`${bot.url}/api/v1/analytics?by=member&${week}`, { headers: { authorization: `Bearer ${TOKENS.wang}`, accept: 'text/csv' } });
    expect((await byAccept.text()).split('\r\n')[1]).toBe('li,李四,1,900,900,0,,,1,0,0,0');
  });

  it('bad input is a 400 naming the field; no token is a 401', async () => {
    const cases: Array<[string, string]> = [
      ['by=host', 'by'],
      ['from=yesterday', 'from'],
      ['from=2026-13-45', 'from'],
      ['from=2026-11-30&to=2026-11-23', 'from'],
      ['team=nobody', 'team'],
      ['format=xml', 'format'],
    ];
    for (const [q, field] of cases) {
      const res = await bot.get(`/api/v1/analytics?${q}`, TOKENS.wang);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { field: string }).field, q).toBe(field);
    }
    expect((await bot.get(`/api/v1/analytics?${week}`)).status).toBe(401);
  });

  it('a rebuild from the alerts gives the same figures after the facts are lost', async () => {
    const before = await (await bot.get(`/api/v1/analytics?by=team&${week}`, TOKENS.wang)).json();
    await bot.runtime.database.db.collection('analyticsfacts').deleteMany({});
    const res = await bot.post('/api/v1/analytics/rebuild', {}, TOKENS.zhang);
    expect(await res.json()).toEqual({ rebuilt: 3 });
    expect(await (await bot.get(`/api/v1/analytics?by=team&${week}`, TOKENS.wang)).json()).toEqual(before);
  });

  it('the noisiest alerts come from $group/$sum over the facts', async () => {
    const rows = await bot.analytics.facts.noisiest({ from: new Date('2026-11-22T16:00:00Z'), to: new Date('2026-11-29T16:00:00Z') }, 5);
    expect(rows[0]).toMatchObject({ dedupKey: 'cpu-b', alerts: 1, events: 3 });
    expect(rows).toHaveLength(3);
  });

  it('a signed chart link serves a PNG until it expires; a tampered one is refused', async () => {
    const url = bot.analytics.links.url({ team: 'ops', from: new Date('2026-11-22T16:00:00Z'), to: new Date('2026-11-29T16:00:00Z'), timeZone: 'Asia/Shanghai', expires: new Date('2026-12-01T00:00:00Z') });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const tampered = url.replace(/\.([A-Za-z0-9_-])([A-Za-z0-9_-]*)\.png$/, (_m, c: string, rest: string) => `.${c === 'A' ? 'B' : 'A'}${rest}.png`);
    expect((await fetch(tampered)).status).toBe(403);
    bot.clock.set('2026-12-02T00:00:00Z');
    expect((await fetch(url)).status).toBe(410);
    expect((await fetch(`${bot.url}/charts/nonsense.png`)).status).toBe(404);
  });
});
