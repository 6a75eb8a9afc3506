import mongoose, { Types, type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factSettings } from '../../src/analytics/settings.js';
import { factPatch } from '../../src/core/analytics.js';
import type { NormalizedEvent } from '../../src/core/types.js';
import { archiveResolved } from '../../src/store/alert-archive.js';
import { AlertStore, type IngestContext } from '../../src/store/alerts.js';
import { AnalyticsFactStore } from '../../src/store/analytics-facts.js';
import { CardStore } from '../../src/store/cards.js';
import { COMMAND_LIMITS } from '../../src/store/command-limits.js';
import { EscalationStore } from '../../src/store/escalations.js';
import { HeartbeatStore } from '../../src/store/heartbeats.js';
import { migrate } from '../../src/store/migrate.js';
import { registerModels, type Models } from '../../src/store/models.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { Timelines } from '../../src/store/timelines.js';
import { freshDatabaseUri, testConfig } from '../support/bot.js';

/**
 * Every writer of dutybot takes 2,000 operations at once and the database still answers: no
 * command it sends is over what FerretDB 1.24 answers (src/store/command-limits.ts; issue 18).
 * The driver's own command events show what went over the wire.
 */
const N = 2000;

// Correctness, not speed (bench/ measures that): generous on a loaded machine.
describe('2,000 writes at once through each writer', { timeout: 180_000 }, () => {
  let conn: Connection;
  let models: Models;
  let alerts: AlertStore;
  const commands: CommandStartedEvent[] = [];
  const ctx: IngestContext = { integration: 'prom', source: 'alertmanager', application: 'k8s', team: 'ops' };
  const at = new Date('2026-12-05T08:00:00Z');
  const actor = { kind: 'source', name: 'prom', via: 'alertmanager' } as const;
  const keys = Array.from({ length: N }, (_, i) => `host-${i}`);
  const ev = (dedupKey: string): NormalizedEvent => ({ eventType: 'trigger', dedupKey, title: `${dedupKey} down`, severity: 'critical', labels: [], links: [] });

  beforeAll(async () => {
    conn = await mongoose.createConnection(freshDatabaseUri(), { autoIndex: false, autoCreate: false, maxPoolSize: 32, monitorCommands: true }).asPromise();
    conn.getClient().on('commandStarted', (e) => commands.push(e));
    await migrate(conn.db!);
    models = registerModels(conn);
    alerts = new AlertStore(models, { casFilters: false });
  });
  afterAll(async () => conn?.close());

  /** The database answers a read (a hung FerretDB answers nothing, not even this). */
  const answers = async () => {
    await conn.db!.collection('alerts').findOne({ _id: new Types.ObjectId() }, { maxTimeMS: 5000 });
  };
  const alertIds = async () => (await models.Alert.find({}, { _id: 1 }).lean()).map((d) => d._id.toHexString());

  it('alerts: 2,000 opened at once (slots, short ids, alerts, first timeline entries), then resolved at once', async () => {
    await Promise.all(keys.map((k) => alerts.trigger(ctx, ev(k), at)));
    expect(await models.Alert.countDocuments({ state: 'triggered' })).toBe(N);
    const open = await alerts.getMany(await alertIds());
    const results = await Promise.all(open.map((a) => alerts.transition(a, { kind: 'resolve' }, actor, at, { sourceEndedAt: at })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await models.Alert.countDocuments({ state: 'resolved', sourceEndedAt: at })).toBe(N);
    expect(await models.DedupSlot.countDocuments({})).toBe(0);
    await answers();
  });

  it('timelines: 2,000 appends at once', async () => {
    const ids = await alertIds();
    await new Timelines(models).add(ids.map((alertId) => ({ alertId, at, kind: 'note', actor, text: 'checked' })));
    expect((await alerts.timeline(ids[N - 1]!)).map((e) => e.kind)).toEqual(['opened', 'resolved', 'note']);
    await answers();
  });

  it('analytics facts: 2,000 upserts in one call', async () => {
    const facts = new AnalyticsFactStore(conn.db!);
    const settingsOf = factSettings(testConfig());
    const all = await alerts.getMany(await alertIds());
    const written = await facts.applyMany(all.map((alert) => factPatch({ type: 'rebuild', alert }, settingsOf)));
    expect(written.filter((w) => w === 'written')).toHaveLength(N);
    await answers();
  });

  it('escalation plans: 2,000 saved at once', async () => {
    const store = new EscalationStore(models, alerts);
    const all = await alerts.getMany(await alertIds());
    const escalation = { policy: { policyId: 'default', levels: [], repeat: 0 }, token: 't1', cycle: 1, level: 1, done: true };
    await Promise.all(all.map((alert) => store.save(alert, escalation, { level: 1 })));
    expect(await models.Alert.countDocuments({ escalationLevel: 1 })).toBe(N);
    await answers();
  });

  it('cards: 2,000 new records, then 2,000 saves at once', async () => {
    const cards = new CardStore(conn);
    const now = new Date();
    const docs = keys.map((k) => ({ _id: `slack:C1:${k}`, kind: 'alert' as const, platform: 'slack', channel: 'C1', state: 'posting' as const, renderedRev: 0, createdAt: now, updatedAt: now }));
    expect((await cards.insertNew(docs)).size).toBe(0);
    await Promise.all(docs.map((d) => cards.save({ ...d, state: 'posted', messageId: `m-${d._id}`, renderedRev: 1 })));
    expect(await cards.Card.countDocuments({ state: 'posted' })).toBe(N);
    await answers();
  });

  it('outbox and its log: 2,000 enqueued, claimed and finished at once', async () => {
    const outbox = new OutboxStore(conn.db!, { casFilters: false });
    const rows = keys.map((k) => ({ _id: `esc:${k}:run1:1:1:0:zhang:sms`, alertId: new Types.ObjectId().toHexString(), method: 'sms' as const, memberId: 'zhang', fallback: [], reason: 'level 1 of 1' }));
    expect(await outbox.enqueue(rows, at)).toBe(N);
    expect(await outbox.enqueue(rows.slice(0, 10), at)).toBe(0);
    const due = await outbox.due(at, N);
    const claimed = await Promise.all(due.map((r) => outbox.claim(r, new Date(at.getTime() + 60_000))));
    await Promise.all(claimed.map((r) => outbox.start(r!, at)));
    await Promise.all(claimed.map((r) => outbox.finish({ ...r!, state: 'sent' })));
    expect(await outbox.countOpen()).toBe(0);
    await answers();
  });

  it('archive: 2,000 resolved alerts moved at once', async () => {
    expect(await archiveResolved(conn.db!, new Date('2100-01-01T00:00:00Z'))).toBe(N);
    expect(await models.Alert.countDocuments({})).toBe(0);
    await answers();
  });

  it('heartbeats: 2,000 pings at once', async () => {
    const hb = new HeartbeatStore(conn.db!);
    await Promise.all(keys.map((k) => hb.insert({ _id: k, state: 'up', dueAt: at, watchingSince: at })));
    await Promise.all(keys.map((k) => hb.set(k, { lastPingAt: at })));
    expect((await hb.all()).filter((h) => h.lastPingAt)).toHaveLength(N);
    await answers();
  });

  it('no command sent over the limits', () => {
    const sizes = (name: 'update' | 'delete' | 'insert', field: string) =>
      commands.filter((c) => c.commandName === name).map((c) => ((c.command as Record<string, unknown>)[field] as unknown[] | undefined)?.length ?? 0);
    const updates = sizes('update', 'updates');
    expect(updates.length).toBeGreaterThan(0);
    expect(Math.max(...updates)).toBeLessThanOrEqual(COMMAND_LIMITS.statements);
    expect(Math.max(...sizes('delete', 'deletes'))).toBeLessThanOrEqual(COMMAND_LIMITS.statements);
    expect(Math.max(...sizes('insert', 'documents'))).toBeLessThanOrEqual(COMMAND_LIMITS.documents);
  });
});
