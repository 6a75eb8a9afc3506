import { Types } from 'mongoose';
import type { NormalizedEvent } from '../src/core/types.js';
import type { Runtime } from '../src/runtime.js';
import { receivedEntry, type IngestContext } from '../src/store/alerts.js';
import { Timelines } from '../src/store/timelines.js';
import { round, type Row } from './table.js';

/**
 * Where an ingested event's time goes: each database operation of the ingestion path
 * (src/ingest/ingest.ts, src/store/alerts.ts), run `n` times one after another against the
 * running bot's own connection, so the numbers are round trips without queueing.
 */

export interface OpTiming {
  op: string;
  n: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs fn up to n times one after another, stopping early (after at least 20) once budgetMs is spent. */
async function timeOp(op: string, n: number, fn: (i: number) => Promise<unknown>, budgetMs = 10_000): Promise<OpTiming> {
  const ms: number[] = [];
  const start = Date.now();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (i >= 19 && Date.now() - start > budgetMs) break;
  }
  ms.sort((a, b) => a - b);
  const at = (q: number): number => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  return { op, n: ms.length, avgMs: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length), p50Ms: at(0.5), p99Ms: at(0.99) };
}

function event(dedupKey: string): NormalizedEvent {
  return { eventType: 'trigger', dedupKey, title: `breakdown ${dedupKey}`, severity: 'warning', labels: [{ name: 'env', value: 'bench' }], links: [] };
}

export interface Breakdown {
  counts: Record<string, number>;
  ops: OpTiming[];
  /** The stages of round trips one request of each kind makes (a stage's writes go together). */
  paths: Array<{ path: string; ops: string[]; ms: number }>;
  http: OpTiming[];
  scaling: OpTiming[];
}

export async function measureBreakdown(rt: Runtime, baseUrl: string, apiKey: string, n = 500): Promise<Breakdown> {
  const m = rt.database.models;
  const integ = rt.config.integrations.find((i) => i.type === 'api');
  if (!integ) throw new Error('the bench config needs an api integration');
  const ctx: IngestContext = { integration: integ.name, source: 'api', application: integ.application, team: integ.team };
  const run = new Types.ObjectId().toHexString().slice(-6);
  const now = new Date();
  // Short ids far above the counter's, so direct inserts never collide with real alerts.
  const shortBase = 1_000_000_000 + Math.floor(Math.random() * 100_000) * 10_000;

  const counts: Record<string, number> = {};
  for (const c of ['alerts', 'timelines', 'rawevents'] as const) counts[c] = await rt.database.db.collection(c).countDocuments({});

  // The newest alert: a repeat's lookup of it is as dear as any (see the scaling rows below).
  const { alert: hitAlert } = await rt.alerts.trigger(ctx, event(`breakdown-${run}-hit`), now);

  // Rows that insert remove their documents again, so every row sees the collections the
  // scenarios left (the ingest path's lookups scan, and get dearer as collections grow).
  const ops: OpTiming[] = [];
  ops.push(await timeOp('ping (round-trip floor)', n, () => rt.database.db.command({ ping: 1 })));
  const rawIds: Types.ObjectId[] = [];
  ops.push(
    await timeOp('rawevents insertOne', n, async () => {
      const _id = new Types.ObjectId();
      rawIds.push(_id);
      await m.RawEvent.collection.insertOne({
        _id,
        receivedAt: now,
        integration: ctx.integration,
        source: ctx.source,
        body: JSON.stringify({ eventType: 'trigger', dedupKey: `breakdown-${run}`, title: 'breakdown', labels: { env: 'bench' } }),
      });
    }),
  );
  await m.RawEvent.collection.deleteMany({ _id: { $in: rawIds } });
  // AlertStore.trigger's lookups: the dedup slot by `_id`…
  const hitSlotId = `${ctx.integration}:${hitAlert.dedupKey}`;
  ops.push(await timeOp('dedupslots findOne by _id, hit', n, () => m.DedupSlot.findById(hitSlotId).lean()));
  ops.push(await timeOp('dedupslots findOne by _id, miss (new key)', n, (i) => m.DedupSlot.findById(`${ctx.integration}:breakdown-${run}-miss-${i}`).lean()));
  // …then a repeat counts itself on the alert, by `_id`.
  ops.push(
    await timeOp('alerts findOneAndUpdate by _id (repeat)', n, () =>
      m.Alert.findOneAndUpdate({ _id: new Types.ObjectId(hitAlert.id) }, { $inc: { count: 1, rev: 1 }, $set: { lastSeenAt: now } }, { returnDocument: 'after' }).lean(),
    ),
  );
  const slotIds: string[] = [];
  ops.push(
    await timeOp('dedupslots insertOne (new alert)', n, (i) => {
      const _id = `${ctx.integration}:breakdown-${run}-slot-${i}`;
      slotIds.push(_id);
      return m.DedupSlot.collection.insertOne({ _id, alertId: new Types.ObjectId() } as never);
    }),
  );
  await m.DedupSlot.collection.deleteMany({ _id: { $in: slotIds } } as never);
  ops.push(await timeOp('short id (from a reserved block)', n, () => rt.alerts.nextShortId()));
  const alertIds: Types.ObjectId[] = [];
  ops.push(
    await timeOp('alerts insertOne (new alert)', n, (i) => {
      const _id = new Types.ObjectId();
      alertIds.push(_id);
      return m.Alert.collection.insertOne({
        _id,
        shortId: shortBase + i,
        integration: ctx.integration,
        source: ctx.source,
        application: ctx.application,
        team: ctx.team,
        dedupKey: `breakdown-${run}-new-${i}`,
        state: 'triggered',
        version: 1,
        title: 'breakdown',
        severity: 'warning',
        labels: [{ name: 'env', value: 'bench' }],
        links: [],
        count: 1,
        rev: 1,
        firstSeenAt: now,
        lastSeenAt: now,
        escalationLevel: 0,
      });
    }),
  );
  await m.Alert.collection.deleteMany({ _id: { $in: alertIds } });
  // Timelines as ingestion writes them: a new alert's document is inserted with its first entry,
  // later entries (the first 20 repeats, actions) are appended to a small document.
  const timelines = new Timelines(m);
  const timelineIds: string[] = [];
  ops.push(
    await timeOp('timeline, first entry of a new alert (insert)', n, () => {
      const id = new Types.ObjectId().toHexString();
      timelineIds.push(id);
      return timelines.add([receivedEntry(id, now, ctx, 'opened', 'breakdown')], { created: true });
    }),
  );
  ops.push(
    await timeOp('timeline, append 1 entry (to ≤ 20)', n, (i) =>
      timelines.add([receivedEntry(timelineIds[Math.floor(i / 20) % timelineIds.length]!, now, ctx, 'received', 'breakdown')]),
    ),
  );
  ops.push(
    await timeOp('timeline, append 10 entries at once', n, (i) =>
      timelines.add(Array.from({ length: 10 }, () => receivedEntry(timelineIds[i % timelineIds.length]!, now, ctx, 'received', 'breakdown'))),
    ),
  );
  await m.AlertTimeline.collection.deleteMany({ _id: { $in: timelineIds.map((id) => new Types.ObjectId(id)) } });

  const avg = (op: string): number => ops.find((o) => o.op === op)?.avgMs ?? NaN;
  // A request's writes go in stages: the writes of one stage are issued together (src/ingest/ingest.ts,
  // AlertStore.trigger), so a stage costs its dearest write.
  const path = (name: string, stages: string[][]): Breakdown['paths'][number] => ({
    path: name,
    ops: stages.map((s) => s.join(' ∥ ')),
    ms: stages.reduce((sum, s) => sum + Math.max(...s.map(avg)), 0),
  });
  const paths = [
    path('event, new alert', [
      ['rawevents insertOne', 'dedupslots insertOne (new alert)'],
      ['alerts insertOne (new alert)', 'timeline, first entry of a new alert (insert)'],
    ]),
    path('event, repeat', [['rawevents insertOne', 'alerts findOneAndUpdate by _id (repeat)']]),
  ];

  // The same requests over HTTP, one at a time: the difference to the paths above is dutybot's own work.
  const post = (body: unknown): Promise<void> =>
    fetch(`${baseUrl}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
    }).then(async (r) => {
      await r.arrayBuffer();
      if (r.status >= 300) throw new Error(`POST /api/v1/events answered ${r.status}`);
    });
  const http: OpTiming[] = [];
  http.push(await timeOp('HTTP GET /healthz (no database)', n, () => fetch(`${baseUrl}/healthz`).then((r) => r.arrayBuffer())));
  http.push(
    await timeOp('HTTP POST event, new alert', n, (i) =>
      post({ eventType: 'trigger', dedupKey: `breakdown-${run}-http-${i}`, title: 'breakdown', labels: { env: 'bench' } }),
    ),
  );
  http.push(
    await timeOp('HTTP POST event, repeat', n, () =>
      post({ eventType: 'trigger', dedupKey: `breakdown-${run}-http-hit`, title: 'breakdown', labels: { env: 'bench' } }),
    ),
  );

  // The whole AlertStore.trigger (lock, lookup, short id, insert), for comparison with its parts.
  ops.push(await timeOp('AlertStore.trigger, repeat (composite)', n, () => rt.alerts.trigger(ctx, event(hitAlert.dedupKey), now)));
  ops.push(await timeOp('AlertStore.trigger, new key (composite)', n, (i) => rt.alerts.trigger(ctx, event(`breakdown-${run}-trig-${i}`), now)));

  // Does the cost depend on the collection size? A scratch collection with a unique index,
  // measured at growing sizes: find vs findOneAndUpdate on the indexed field,
  // and findOneAndUpdate by _id.
  const scaling: OpTiming[] = [];
  const scratch = rt.database.db.collection<{ _id: Types.ObjectId; slot: string; count: number }>(`bench_scratch_${run}`);
  try {
    await scratch.createIndex({ slot: 1 }, { unique: true, name: 'slot_unique' });
    let size = 0;
    const sn = Math.min(n, 50);
    for (const target of [100, 1000, 5000]) {
      while (size < target) {
        const k = Math.min(1000, target - size);
        await scratch.insertMany(Array.from({ length: k }, (_, j) => ({ _id: new Types.ObjectId(), slot: `s-${size + j}`, count: 0 })));
        size += k;
      }
      const ids = (await scratch.find({}, { projection: { _id: 1 } }).limit(sn).toArray()).map((d) => d._id);
      const slot = (i: number): string => `s-${(i * 37) % target}`;
      scaling.push(await timeOp(`${target} docs: findOne by unique field`, sn, (i) => scratch.findOne({ slot: slot(i) })));
      scaling.push(
        await timeOp(`${target} docs: findOneAndUpdate by unique field`, sn, (i) =>
          scratch.findOneAndUpdate({ slot: slot(i) }, { $inc: { count: 1 } }, { returnDocument: 'after' }),
        ),
      );
      scaling.push(
        await timeOp(`${target} docs: findOneAndUpdate by _id`, sn, (i) =>
          scratch.findOneAndUpdate({ _id: ids[i % ids.length]! }, { $inc: { count: 1 } }, { returnDocument: 'after' }),
        ),
      );
      scaling.push(await timeOp(`${target} docs: updateOne by _id`, sn, (i) => scratch.updateOne({ _id: ids[i % ids.length]! }, { $inc: { count: 1 } })));
    }
  } finally {
    await scratch.drop().catch(() => {});
  }

  return { counts, ops, paths, http, scaling };
}

export function opRows(ops: OpTiming[]): Row[] {
  return ops.map((o) => ({ operation: o.op, n: o.n, 'avg ms': round(o.avgMs, 2), 'p50 ms': round(o.p50Ms, 2), 'p99 ms': round(o.p99Ms, 2) }));
}
