import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MongoClient, ObjectId, type Document } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { indexes } from '../../migrations/0001-indexes.js';
import { cards } from '../../migrations/0002-cards.js';
import { timelinesAndArchive } from '../../migrations/0003-timelines-and-archive.js';
import { AlertStore, type IngestContext } from '../../src/store/alerts.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { provisionDatabase, withDatabase, type ProvisionedDatabase } from '../../src/store/provision.js';
import { idLookupPlan, usesIndex } from '../support/id-plan.js';
import { startStockFerretdb } from '../support/stock-ferretdb.js';

/**
 * A data directory written by the previous dutybot (unpatched FerretDB, one timeline row per entry,
 * every alert in `alerts`) opened by this one: every alert and entry is still there, lookups by
 * `_id` use the index with no rebuild, and resolved alerts older than a day move to the archive.
 */
const onFerretdb = inject('databaseKind') === 'ferretdb';
const dataDir = mkdtempSync(join(resolve('.test-db'), 'upgrade-'));
let server: ProvisionedDatabase | undefined;
let database: Database | undefined;

afterAll(async () => {
  await database?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const DAY = 86_400_000;
const ctx: IngestContext = { integration: 'prom', source: 'alertmanager', application: 'k8s', team: 'ops' };

/** 1–200 resolved two days ago, 201–250 resolved an hour ago, 251–300 open. */
function oldLayout(now: number): { alerts: Document[]; timeline: Document[]; refs: Document[]; slots: Document[] } {
  const alerts: Document[] = [];
  const timeline: Document[] = [];
  const refs: Document[] = [];
  const slots: Document[] = [];
  for (let shortId = 1; shortId <= 300; shortId++) {
    const _id = ObjectId.createFromTime(Math.floor((now - 3 * DAY) / 1000) + shortId);
    const opened = new Date(now - 3 * DAY + shortId * 1000);
    const resolvedAt = shortId <= 200 ? new Date(now - 2 * DAY) : shortId <= 250 ? new Date(now - 3_600_000) : undefined;
    const dedupKey = `key-${shortId}`;
    alerts.push({
      _id, shortId, integration: 'prom', source: 'alertmanager', application: 'k8s', team: 'ops', dedupKey,
      state: resolvedAt ? 'resolved' : 'triggered', version: resolvedAt ? 2 : 1, title: `Alert ${shortId}`, severity: 'warning',
      labels: [], links: [], count: 1, rev: 1, firstSeenAt: opened, lastSeenAt: opened, escalationLevel: 0,
      ...(resolvedAt ? { resolvedAt, resolvedBy: { kind: 'source', name: 'prom', via: 'alertmanager' } } : {}),
    });
    const actor = { kind: 'source', name: 'prom', via: 'alertmanager' };
    // Written out of order on purpose: entries come back sorted by time.
    if (resolvedAt) timeline.push({ _id: new ObjectId(), alertId: _id, at: resolvedAt, kind: 'resolved', actor });
    timeline.push({ _id: new ObjectId(), alertId: _id, at: opened, kind: 'opened', actor, text: `Alert ${shortId}` });
    refs.push({ _id: String(shortId), alertId: _id });
    if (!resolvedAt) slots.push({ _id: `prom:${dedupKey}`, alertId: _id });
  }
  return { alerts, timeline, refs, slots };
}

describe.skipIf(!onFerretdb)('upgrading a data directory made by the previous dutybot', () => {
  it('keeps every alert and timeline entry, uses the _id index, and archives old resolved alerts', { timeout: 180_000 }, async () => {
    const now = Date.now();
    const stock = await startStockFerretdb(dataDir);
    const client = new MongoClient(withDatabase(stock.uri, 'dutybot'), { directConnection: true });
    const before = client.db();
    await migrate(before, undefined, [indexes, cards]);
    const old = oldLayout(now);
    await before.collection('alerts').insertMany(old.alerts);
    await before.collection('timeline').insertMany(old.timeline);
    await before.collection('alertrefs').insertMany(old.refs);
    await before.collection('dedupslots').insertMany(old.slots);
    await before.collection('counters').insertOne({ _id: 'alert', seq: 300 } as never);
    // The "before" really is the scanning build.
    expect(usesIndex(await idLookupPlan(before.collection('alerts'), old.alerts[0]!._id))).toBe(false);
    await client.close();
    await stock.stop();

    server = await provisionDatabase({ dataDir, env: { PATH: process.env.PATH } as NodeJS.ProcessEnv });
    database = await openDatabase(withDatabase(server.uri, 'dutybot'));
    const db = database.db;
    const store = new AlertStore(database.models, { casFilters: !database.ferretdb });

    for (const name of ['alerts', 'alertarchive', 'timelines', 'alertrefs']) {
      const any = await db.collection(name).findOne({});
      expect({ name, index: usesIndex(await idLookupPlan(db.collection(name), any!._id)) }).toEqual({ name, index: true });
    }

    expect(await db.collection('alerts').countDocuments()).toBe(100);
    expect(await db.collection('alertarchive').countDocuments()).toBe(200);
    expect((await db.listCollections({ name: 'timeline' }).toArray()).length).toBe(0);
    for (let shortId = 1; shortId <= 300; shortId++) {
      const alert = await store.get(`#${shortId}`);
      expect(alert?.title).toBe(`Alert ${shortId}`);
      const kinds = (await store.timeline(alert!.id)).map((e) => e.kind);
      expect(kinds).toEqual(shortId <= 250 ? ['opened', 'resolved'] : ['opened']);
    }

    // Running the migration again changes nothing.
    await timelinesAndArchive.up(db);
    expect(await db.collection('alerts').countDocuments()).toBe(100);
    expect(await db.collection('alertarchive').countDocuments()).toBe(200);
    expect(await db.collection('timelines').countDocuments()).toBe(300);

    // Lists: open ones from `alerts`; resolved ones continue into the archive, newest first.
    expect(await store.list({ states: ['triggered', 'acknowledged'], limit: 100 })).toHaveLength(50);
    const resolved = await store.list({ states: ['resolved'], limit: 60 });
    expect(resolved.map((a) => a.shortId)).toEqual(Array.from({ length: 60 }, (_, i) => 250 - i));
    const next = await store.list({ states: ['resolved'], limit: 20, cursor: resolved.at(-1)!.id });
    expect(next.map((a) => a.shortId)).toEqual(Array.from({ length: 20 }, (_, i) => 190 - i));
    expect((await store.list({ limit: 5 })).map((a) => a.shortId)).toEqual([300, 299, 298, 297, 296]);

    // The open alerts' dedup keys still repeat, and numbering carries on.
    const ev = (dedupKey: string) => ({ eventType: 'trigger' as const, dedupKey, title: dedupKey, severity: 'warning' as const, labels: [], links: [] });
    const repeat = await store.trigger(ctx, ev('key-300'), new Date(now));
    expect(repeat).toMatchObject({ outcome: 'deduplicated', alert: { shortId: 300, count: 2 } });
    const fresh = await store.trigger(ctx, ev('key-new'), new Date(now));
    expect(fresh).toMatchObject({ outcome: 'opened', alert: { shortId: 301 } });
  });
});
