import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsRecorder } from '../../src/analytics/recorder.js';
import { factSettings } from '../../src/analytics/settings.js';
import { factPatch } from '../../src/core/analytics.js';
import type { Actor } from '../../src/core/types.js';
import { log } from '../../src/log.js';
import { AlertStore, type IngestContext } from '../../src/store/alerts.js';
import { AnalyticsFactStore } from '../../src/store/analytics-facts.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { Timelines } from '../../src/store/timelines.js';
import { freshDatabaseUri, testConfig } from '../support/bot.js';

/**
 * The writes a storm leans on (decision 0006, item 4): a new alert's timeline and analytics fact
 * are inserted rather than upserted, and neither loses anything when its document exists already.
 */
describe('storm writes', () => {
  let db: Database;
  let store: AlertStore;
  const ctx: IngestContext = { integration: 'prom', source: 'alertmanager', application: 'k8s', team: 'ops' };
  const zhang: Actor = { kind: 'member', memberId: 'zhang', name: '张三', via: 'rest' };
  const ev = (dedupKey: string) => ({ eventType: 'trigger' as const, dedupKey, title: dedupKey, severity: 'critical' as const, labels: [], links: [] });
  const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 9, 0, s));

  beforeAll(async () => {
    db = await openDatabase(freshDatabaseUri());
    store = new AlertStore(db.models, { casFilters: !db.ferretdb });
  });
  afterAll(async () => db.close());

  it('an alert that opens has its first timeline entry stored with it, pointing at the raw copy', async () => {
    const rawEventId = new Types.ObjectId().toHexString();
    const { alert, outcome, opened } = await store.trigger(ctx, ev('disk'), at(0), rawEventId);
    expect(outcome).toBe('opened');
    expect(opened).toMatchObject({ alertId: alert.id, kind: 'opened', rawEventId });
    expect(await store.timeline(alert.id)).toEqual([expect.objectContaining({ kind: 'opened', rawEventId, text: 'disk' })]);
    const repeat = await store.trigger(ctx, ev('disk'), at(1), new Types.ObjectId().toHexString());
    expect(repeat).toMatchObject({ outcome: 'deduplicated', alert: { id: alert.id, count: 2 } });
    expect(repeat.opened).toBeUndefined();
  });

  it("a note appended before a new alert's first entry is written keeps both", async () => {
    const timelines = new Timelines(db.models);
    const alertId = new Types.ObjectId().toHexString();
    await timelines.add([{ alertId, at: at(2), kind: 'note', actor: zhang, text: 'looking' }]);
    await timelines.add([{ alertId, at: at(1), kind: 'opened', actor: zhang, text: 'cpu' }], { created: true });
    expect((await timelines.read(alertId)).map((e) => e.kind)).toEqual(['opened', 'note']);
  });

  it("a new alert's fact is inserted, and one a rebuild wrote first is updated instead", async () => {
    const facts = new AnalyticsFactStore(db.db);
    const settingsOf = factSettings(testConfig());
    const recorder = new AnalyticsRecorder(facts, settingsOf, log, { gatherMs: 0 });
    const fresh = await store.trigger(ctx, ev('memory'), at(0));
    const rebuilt = await store.trigger(ctx, ev('network'), at(0));
    await facts.apply(factPatch({ type: 'rebuild', alert: rebuilt.alert }, settingsOf), { rebuild: true });

    for (const { alert, opened } of [fresh, rebuilt]) recorder.onEvent({ type: 'opened', alert: { ...alert, count: 3 }, entry: opened! });
    await recorder.settled();

    expect(await facts.get(fresh.alert.id)).toMatchObject({ events: 3, muted: false, escalations: 0, title: 'memory' });
    expect(await facts.get(rebuilt.alert.id)).toMatchObject({ events: 3, muted: false, title: 'network' });
  });
});
