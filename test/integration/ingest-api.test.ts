import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestBot, type TestBot } from '../support/bot.js';

const trigger = (dedupKey: string, extra: Record<string, unknown> = {}) => ({
  eventType: 'trigger',
  dedupKey,
  title: `Disk almost full (${dedupKey})`,
  severity: 'warning',
  host: 'web-1',
  labels: { 'app.kubernetes.io/name': 'web', $weird: 'x' },
  ...extra,
});

describe('POST /api/v1/events', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => bot.stop());

  it('opens an alert and answers 202 with its id once it is stored', async () => {
    const res = await bot.post('/api/v1/events', trigger('disk-1'), KEYS.api);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { alertId: string; status: string; deduplicated: boolean; shortId: number };
    expect(body).toMatchObject({ status: 'triggered', deduplicated: false });
    const stored = await bot.runtime.alerts.get(body.alertId);
    expect(stored).toMatchObject({ title: 'Disk almost full (disk-1)', application: 'billing', team: 'ops', count: 1 });
    expect(stored!.labels).toContainEqual({ name: 'app.kubernetes.io/name', value: 'web' });
    const [opened] = await bot.runtime.alerts.timeline(body.alertId);
    expect(opened).toMatchObject({ kind: 'opened', actor: { kind: 'source', name: 'rest' } });
    const raw = await bot.runtime.database.models.RawEvent.findById(opened!.rawEventId).lean();
    expect(raw).toMatchObject({ integration: 'rest', source: 'api' });
    expect(JSON.parse(raw!.body)).toMatchObject({ dedupKey: 'disk-1' });
  });

  it('accepts the key as ?key= too', async () => {
    const res = await fetch(`${bot.url}/api/v1/events?key=${KEYS.api}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(trigger('by-query')),
    });
    expect(res.status).toBe(202);
  });

  it('folds 50 identical events sent at once into one open alert with count 50', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => bot.post('/api/v1/events', trigger('storm'), KEYS.api)));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(202));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as Array<{ alertId: string; deduplicated: boolean }>;
    expect(new Set(bodies.map((b) => b.alertId)).size).toBe(1);
    expect(bodies.filter((b) => !b.deduplicated)).toHaveLength(1);
    const open = await bot.runtime.database.models.Alert.find({ dedupKey: 'storm', state: { $ne: 'resolved' } }).lean();
    expect(open).toHaveLength(1);
    expect(open[0]!.count).toBe(50);
  });

  it('resolves on the source recovery, and a later trigger opens a new alert', async () => {
    const first = (await (await bot.post('/api/v1/events', trigger('flap'), KEYS.api)).json()) as { alertId: string };
    bot.clock.advance(60_000);
    const resolved = await bot.post('/api/v1/events', { eventType: 'resolve', dedupKey: 'flap', title: 'ok' }, KEYS.api);
    expect(await resolved.json()).toMatchObject({ alertId: first.alertId, status: 'resolved' });
    const again = (await (await bot.post('/api/v1/events', trigger('flap'), KEYS.api)).json()) as { alertId: string; status: string };
    expect(again.alertId).not.toBe(first.alertId);
    expect(again.status).toBe('triggered');
    const old = await bot.runtime.alerts.get(first.alertId);
    expect(old).toMatchObject({ state: 'resolved', resolvedBy: { kind: 'source', name: 'rest' }, secondsToResolve: 60 });
  });

  it("acknowledges and resolves by dedupKey alone, as PagerDuty's events API and monitoring tools do", async () => {
    const opened = (await (await bot.post('/api/v1/events', trigger('by-key'), KEYS.api)).json()) as { alertId: string };
    const acked = await bot.post('/api/v1/events', { eventType: 'acknowledge', dedupKey: 'by-key' }, KEYS.api);
    expect(acked.status).toBe(202);
    expect(await acked.json()).toMatchObject({ alertId: opened.alertId, status: 'acknowledged' });
    const resolved = await bot.post('/api/v1/events', { eventType: 'resolve', dedupKey: 'by-key' }, KEYS.api);
    expect(resolved.status).toBe(202);
    expect(await resolved.json()).toMatchObject({ alertId: opened.alertId, status: 'resolved' });
    // The alert keeps the title its trigger gave it.
    expect(await bot.runtime.alerts.get(opened.alertId)).toMatchObject({ state: 'resolved', title: 'Disk almost full (by-key)', resolvedBy: { kind: 'source', name: 'rest' } });
  });

  it('keeps raw copies for the retention bound, then the retention job deletes them', async () => {
    const { pruneRawEvents } = await import('../../src/jobs/retention.js');
    const models = bot.runtime.database.models;
    const before = await models.RawEvent.countDocuments();
    expect(before).toBeGreaterThan(0);
    expect(await pruneRawEvents(models, bot.clock, 30)).toBe(0);
    bot.clock.advance(31 * 86_400_000);
    expect(await pruneRawEvents(models, bot.clock, 30)).toBe(before);
    expect(await models.RawEvent.countDocuments()).toBe(0);
  });

  it('answers a resolve for an unknown key without inventing an alert', async () => {
    const res = await bot.post('/api/v1/events', { eventType: 'resolve', dedupKey: 'never-seen', title: 'ok' }, KEYS.api);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ alertId: null, status: 'no-open-alert' });
  });
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => bot.stop());

  const cases: Array<[string, () => Promise<Response>, number, RegExp, string?]> = [
    ['no key', () => bot.post('/api/v1/events', trigger('x')), 401, /missing integration key/],
    ['a wrong key', () => bot.post('/api/v1/events', trigger('x'), 'not-a-key-at-all-xxxx'), 401, /unknown integration key/],
    ['a key of another integration type', () => bot.post('/api/v1/events', trigger('x'), KEYS.alertmanager), 401, /"alertmanager" integration/],
    ['malformed JSON', () => bot.post('/api/v1/events', '{"eventType": "trigger",', KEYS.api), 400, /malformed JSON/],
    ['an empty body', () => bot.post('/api/v1/events', '', KEYS.api), 400, /empty body/],
    ['a JSON array', () => bot.post('/api/v1/events', '[1,2]', KEYS.api), 400, /object/],
    [
      'a wrong content type',
      () => bot.post('/api/v1/events', JSON.stringify(trigger('x')), KEYS.api, { 'content-type': 'text/plain' }),
      400,
      /content type must be application\/json/,
    ],
    ['a missing field', () => bot.post('/api/v1/events', { eventType: 'trigger', title: 't' }, KEYS.api), 400, /dedupKey/, 'dedupKey'],
    ['a trigger without a title', () => bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'untitled' }, KEYS.api), 400, /required for trigger/, 'title'],
    ['a resolve without a key', () => bot.post('/api/v1/events', { eventType: 'resolve' }, KEYS.api), 400, /dedupKey/, 'dedupKey'],
    ['a wrong severity', () => bot.post('/api/v1/events', trigger('x', { severity: 'urgent' }), KEYS.api), 400, /severity/, 'severity'],
    ['an unknown field', () => bot.post('/api/v1/events', trigger('x', { colour: 'red' }), KEYS.api), 400, /colour/],
    ['a bad date', () => bot.post('/api/v1/events', trigger('x', { occurredAt: 'yesterday' }), KEYS.api), 400, /occurredAt/, 'occurredAt'],
    ['a javascript: link', () => bot.post('/api/v1/events', trigger('x', { links: [{ text: 'x', href: 'javascript:alert(1)' }] }), KEYS.api), 400, /links/],
    ['an unknown source', () => bot.post('/api/v1/webhooks/nagios', {}, KEYS.api), 404, /unknown source/],
    [
      'a body over 1 MiB',
      () => bot.post('/api/v1/events', trigger('big', { description: 'x'.repeat(1024 * 1024 + 10) }), KEYS.api),
      413,
      /larger than 1 MiB/,
    ],
  ];

  it.each(cases)('%s', async (_name, send, status, message, field) => {
    const before = await bot.runtime.database.models.Alert.countDocuments();
    const res = await send();
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; field?: string };
    expect(body.error).toMatch(message);
    if (field) expect(body.field).toBe(field);
    expect(await bot.runtime.database.models.Alert.countDocuments()).toBe(before);
  });

  it('counts rejections by source and reason in /metrics', async () => {
    const text = await (await bot.get('/metrics')).text();
    expect(text).toMatch(/dutybot_events_rejected_total\{source="api",reason="auth"\} 3/);
    expect(text).toMatch(/dutybot_events_rejected_total\{source="api",reason="too_large"\} 1/);
    expect(text).toMatch(/dutybot_events_rejected_total\{source="api",reason="invalid"\}/);
  });

  it('still serves after all of that', async () => {
    expect((await bot.get('/healthz')).status).toBe(200);
    expect((await bot.post('/api/v1/events', trigger('fine'), KEYS.api)).status).toBe(202);
  });
});
