import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/events.js';
import { KEYS, TOKENS, startTestBot, type TestBot } from '../support/bot.js';

interface AlertView {
  id: string;
  shortId: number;
  ref: string;
  state: string;
  owner?: { memberId?: string; name: string; via: string };
  escalationLevel: number;
}

describe('people drive an alert through its lifecycle over REST', () => {
  let bot: TestBot;
  const seen: AlertEvent['type'][] = [];
  beforeAll(async () => {
    bot = await startTestBot();
    bot.runtime.events.subscribe((e) => void seen.push(e.type));
  });
  afterAll(async () => bot.stop());

  async function open(dedupKey: string): Promise<{ alertId: string; shortId: number }> {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title: `CPU high ${dedupKey}`, severity: 'critical' }, KEYS.api);
    return (await res.json()) as { alertId: string; shortId: number };
  }
  const act = (ref: string | number, action: string, token: string, body: unknown = {}) =>
    bot.post(`/api/v1/alerts/${ref}/${action}`, body, token);

  it('claims by short id, then refuses a second claim with who has it', async () => {
    const { shortId } = await open('cpu-1');
    bot.clock.advance(90_000);
    const claimed = await act(shortId, 'claim', TOKENS.zhang);
    expect(claimed.status).toBe(200);
    const { alert } = (await claimed.json()) as { alert: AlertView };
    expect(alert).toMatchObject({ state: 'acknowledged', owner: { memberId: 'zhang', name: '张三', via: 'rest' }, ref: `#${shortId}` });
    const again = await act(`%23${shortId}`, 'claim', TOKENS.li);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'already claimed by 张三' });
  });

  it('gives exactly one winner when two members claim at the same instant', async () => {
    for (let round = 0; round < 5; round++) {
      const { alertId } = await open(`race-${round}`);
      const answers = await Promise.all([act(alertId, 'claim', TOKENS.zhang), act(alertId, 'claim', TOKENS.li)]);
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      const loser = answers.find((r) => r.status === 409)!;
      const winner = (await (answers.find((r) => r.status === 200)!).json()) as { alert: AlertView };
      expect(await loser.json()).toMatchObject({ error: `already claimed by ${winner.alert.owner!.name}` });
      const timeline = (await (await bot.get(`/api/v1/alerts/${alertId}`, TOKENS.wang)).json()) as { timeline: Array<{ kind: string }> };
      expect(timeline.timeline.filter((t) => t.kind === 'claimed')).toHaveLength(1);
    }
  });

  it('reassigns with a reason, escalates, resolves, and refuses to resolve twice', async () => {
    const { alertId } = await open('db-1');
    expect((await act(alertId, 'reassign', TOKENS.zhang, { to: 'li', reason: '李四 knows this database' })).status).toBe(200);
    const esc = await act(alertId, 'escalate', TOKENS.li, { reason: 'needs the DBA' });
    expect(((await esc.json()) as { alert: AlertView }).alert.escalationLevel).toBe(1);
    bot.clock.advance(300_000);
    expect((await act(alertId, 'resolve', TOKENS.li, { note: 'vacuumed' })).status).toBe(200);
    const twice = await act(alertId, 'resolve', TOKENS.zhang);
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ error: 'already resolved by 李四' });

    const detail = (await (await bot.get(`/api/v1/alerts/${alertId}`, TOKENS.zhang)).json()) as {
      alert: AlertView & { secondsToResolve: number; owner: { name: string } };
      timeline: Array<{ kind: string; actor: { name: string; via: string }; text?: string; at: string }>;
    };
    expect(detail.alert.owner.name).toBe('李四');
    expect(detail.alert.secondsToResolve).toBe(300);
    expect(detail.timeline.map((t) => t.kind)).toEqual(['opened', 'reassigned', 'escalated', 'resolved']);
    expect(detail.timeline[1]).toMatchObject({ actor: { name: '张三', via: 'rest' }, text: '→ 李四: 李四 knows this database' });
    expect(detail.timeline[3]).toMatchObject({ actor: { name: '李四' }, text: 'vacuumed' });
  });

  it('emits a domain event after every change', () => {
    expect(seen).toEqual(expect.arrayContaining(['opened', 'claimed', 'reassigned', 'escalated', 'resolved']));
  });

  it('answers 401, 404, 400 and 409 with reasons', async () => {
    const { alertId } = await open('errors-1');
    expect((await act(alertId, 'claim', 'wrong-token-xxxxxxxxxx')).status).toBe(401);
    expect((await bot.get('/api/v1/alerts')).status).toBe(401);
    expect((await act('999999', 'claim', TOKENS.zhang)).status).toBe(404);
    expect((await act('not-an-id', 'claim', TOKENS.zhang)).status).toBe(404);
    expect((await act(alertId, 'dance', TOKENS.zhang)).status).toBe(404);
    const unknownMember = await act(alertId, 'reassign', TOKENS.zhang, { to: 'bobb' });
    expect(unknownMember.status).toBe(400);
    expect(await unknownMember.json()).toMatchObject({ error: 'unknown member "bobb"', field: 'to' });
    const badBody = await act(alertId, 'resolve', TOKENS.zhang, '{oops');
    expect(badBody.status).toBe(400);
  });

  it('lists alerts by status and team with a cursor', async () => {
    const page1 = (await (await bot.get('/api/v1/alerts?status=open&team=ops&limit=2', TOKENS.zhang)).json()) as {
      alerts: AlertView[];
      nextCursor: string | null;
    };
    expect(page1.alerts).toHaveLength(2);
    expect(page1.alerts.every((a) => a.state !== 'resolved')).toBe(true);
    const page2 = (await (await bot.get(`/api/v1/alerts?status=open&limit=2&cursor=${page1.nextCursor}`, TOKENS.zhang)).json()) as {
      alerts: AlertView[];
    };
    expect(page2.alerts[0]!.id < page1.alerts[1]!.id).toBe(true);
    expect((await bot.get('/api/v1/alerts?status=sleeping', TOKENS.zhang)).status).toBe(400);
    expect((await bot.get('/api/v1/alerts?limit=0', TOKENS.zhang)).status).toBe(400);
  });
});
