import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/types.js';
import { archiveOldAlerts } from '../../src/jobs/retention.js';
import { AlertStore, type IngestContext } from '../../src/store/alerts.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { freshDatabaseUri } from '../support/bot.js';
import { FakeClock } from '../support/clock.js';

/** Resolved alerts leave the hot collection a day later, and stay findable (decision 0006). */
describe('archiving resolved alerts', () => {
  let db: Database;
  let store: AlertStore;
  const ctx: IngestContext = { integration: 'prom', source: 'alertmanager', application: 'k8s', team: 'ops' };
  const zhang: Actor = { kind: 'member', memberId: 'zhang', name: '张三', via: 'rest' };
  const ev = (dedupKey: string) => ({ eventType: 'trigger' as const, dedupKey, title: dedupKey, severity: 'critical' as const, labels: [], links: [] });

  beforeAll(async () => {
    db = await openDatabase(freshDatabaseUri());
    store = new AlertStore(db.models, { casFilters: !db.ferretdb });
  });
  afterAll(async () => db.close());

  it('a day after it resolved, an alert moves to the archive and is still shown by its short id', async () => {
    const clock = new FakeClock(new Date('2026-11-27T09:00:00Z'));
    const done = await store.trigger(ctx, ev('disk'), clock.now());
    const open = await store.trigger(ctx, ev('cpu'), clock.now());
    expect((await store.transition(`#${done.alert.shortId}`, { kind: 'resolve', note: 'freed space' }, zhang, clock.now())).ok).toBe(true);

    clock.advance(3_600_000);
    expect(await archiveOldAlerts(db.models, clock)).toBe(0); // an hour later: its cards may still change
    clock.advance(24 * 3_600_000);
    expect(await archiveOldAlerts(db.models, clock)).toBe(1);
    expect(await archiveOldAlerts(db.models, clock)).toBe(0); // nothing left to move: a second run is harmless

    expect(await db.models.Alert.countDocuments()).toBe(1);
    const archived = await store.get(`#${done.alert.shortId}`);
    expect(archived).toMatchObject({ id: done.alert.id, state: 'resolved', resolvedBy: { name: '张三' } });
    expect((await store.timeline(done.alert.id)).map((e) => e.kind)).toEqual(['opened', 'resolved']);
    expect((await store.list({ states: ['triggered', 'acknowledged'], limit: 10 })).map((a) => a.id)).toEqual([open.alert.id]);
    expect((await store.list({ limit: 10 })).map((a) => a.id)).toEqual([open.alert.id, done.alert.id]);
    expect(await store.countByState()).toMatchObject({ triggered: 1, acknowledged: 0 });
    // An action on an archived alert is refused like on any resolved one.
    expect(await store.transition(done.alert.id, { kind: 'claim' }, zhang, clock.now())).toMatchObject({ ok: false, status: 409 });
    // Its dedup key opens a new alert.
    expect(await store.trigger(ctx, ev('disk'), clock.now())).toMatchObject({ outcome: 'opened' });
  });
});
