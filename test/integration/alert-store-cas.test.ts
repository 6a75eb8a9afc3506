import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/types.js';
import { AlertStore, type IngestContext } from '../../src/store/alerts.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { freshDatabaseUri } from '../support/bot.js';

/**
 * The store as it runs on MongoDB (`casFilters: true`): version conditions on transitions and an
 * owner condition when a slot is freed. FerretDB evaluates these filters correctly (if slowly), so
 * the MongoDB code path is exercised here too; its atomicity is MongoDB's own.
 */
describe('AlertStore with compare-and-set filters (the MongoDB path)', () => {
  let db: Database;
  let store: AlertStore;
  const ctx: IngestContext = { integration: 'prom', source: 'alertmanager', application: 'k8s', team: 'ops' };
  const zhang: Actor = { kind: 'member', memberId: 'zhang', name: '张三', via: 'rest' };
  const li: Actor = { kind: 'member', memberId: 'li', name: '李四', via: 'rest' };
  const at = (m: number) => new Date(Date.UTC(2026, 10, 27, 9, m));
  const ev = (dedupKey: string) => ({ eventType: 'trigger' as const, dedupKey, title: dedupKey, severity: 'critical' as const, labels: [], links: [] });

  beforeAll(async () => {
    db = await openDatabase(freshDatabaseUri());
    store = new AlertStore(db.models, { casFilters: true });
  });
  afterAll(async () => db.close());

  it('opens, repeats, claims once, resolves, frees the key, and reopens', async () => {
    const opened = await store.trigger(ctx, ev('k1'), at(0));
    expect(opened.outcome).toBe('opened');
    const repeats = await Promise.all([1, 2, 3].map(() => store.trigger(ctx, ev('k1'), at(1))));
    expect(repeats.every((r) => r.alert.id === opened.alert.id)).toBe(true);
    expect((await store.get(String(opened.alert.shortId)))!.count).toBe(4);

    const [a, b] = await Promise.all([
      store.transition(opened.alert.id, { kind: 'claim' }, zhang, at(2)),
      store.transition(opened.alert.id, { kind: 'claim' }, li, at(2)),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const resolved = await store.transition(`#${opened.alert.shortId}`, { kind: 'resolve' }, zhang, at(5));
    expect(resolved.ok && resolved.alert.state).toBe('resolved');
    expect(await store.findOpen('prom', 'k1')).toBeNull();
    expect(await db.models.DedupSlot.countDocuments({})).toBe(0);

    const again = await store.trigger(ctx, ev('k1'), at(6));
    expect(again.outcome).toBe('opened');
    expect(again.alert.id).not.toBe(opened.alert.id);
  });

  it('a slot left behind by a crash is repaired by the next trigger', async () => {
    const first = await store.trigger(ctx, ev('k2'), at(0));
    // The state a crash between "alert resolved" and "slot freed" leaves behind.
    await db.models.Alert.updateOne({ _id: first.alert.id }, { $set: { state: 'resolved' } });
    const next = await store.trigger(ctx, ev('k2'), at(1));
    expect(next.outcome).toBe('opened');
    expect((await store.get(first.alert.id))!.count).toBe(1);
  });
});
