import type { Db, Document, Filter } from 'mongodb';
import type { AlertFact, FactPatch, Period } from '../core/analytics.js';
import { BulkWriteFailure, writeGateOf } from './write-gate.js';

interface FactDoc extends Omit<AlertFact, 'alertId'> {
  _id: string;
}

export interface NoiseRow {
  integration: string;
  dedupKey: string;
  title: string;
  /** Alerts opened for this key in the period. */
  alerts: number;
  /** Trigger events they absorbed. */
  events: number;
}

export interface FactQuery extends Period {
  team?: string;
}

/**
 * `analyticsfacts`: one small document per alert, `_id` = the alert id (docs/decisions/0011).
 * Writes address one document by `_id` only (the one filter FerretDB 1.24 indexes); reads for a
 * period are a filter on `openedAt` over this collection, never over `alerts`.
 */
export class AnalyticsFactStore {
  constructor(private readonly db: Db) {}

  private get col() {
    return this.db.collection<FactDoc>('analyticsfacts');
  }

  /**
   * Upserts a fact by `_id`. The snapshot is `$set`, escalations only grow (`$max`), `muted`
   * never goes back, and the first claimer is set by the claim event (a rebuild only fills it in
   * where it is missing).
   */
  async apply(p: FactPatch, opts: { rebuild?: boolean } = {}): Promise<void> {
    const { filter, update } = upsertOf(p, opts);
    await this.col.updateOne(filter, update, { upsert: true });
  }

  /**
   * Several facts in one bulk write, through the database's write gate (src/store/write-gate.ts):
   * analytics takes its turn at SQLite's single writer with ingestion instead of colliding with
   * it. The facts of alerts in `fresh` (opened in this process, never written) are inserted: on
   * FerretDB a batch of inserts is one statement, while each upsert is a lookup and a transaction
   * of its own. Answers, per patch: written, exists (a fresh one was there already: apply it
   * again as an update) or failed.
   */
  async applyMany(patches: FactPatch[], fresh: ReadonlySet<string> = new Set()): Promise<Array<'written' | 'exists' | 'failed'>> {
    if (patches.length === 0) return [];
    const ops = patches.map((p) => (fresh.has(p.alertId) ? { insertOne: { document: insertOf(p) } } : { updateOne: { ...upsertOf(p, {}), upsert: true } }));
    try {
      await writeGateOf(this.db).bulkWrite(this.col, ops as never);
      return patches.map(() => 'written');
    } catch (err) {
      if (!(err instanceof BulkWriteFailure)) throw err;
      const failed = new Map(err.writeErrors.map((w) => [w.index, w.code === 11000 && 'insertOne' in ops[w.index]! ? ('exists' as const) : ('failed' as const)]));
      return patches.map((_, i) => failed.get(i) ?? 'written');
    }
  }

  async get(alertId: string): Promise<AlertFact | null> {
    const d = await this.col.findOne({ _id: alertId });
    return d ? toFact(d) : null;
  }

  /** Facts of alerts opened in the period (and routed to `team`, when given). */
  async opened(q: FactQuery): Promise<AlertFact[]> {
    const docs = await this.col.find(filterOf(q)).toArray();
    return docs.map(toFact);
  }

  /**
   * The alerts that made the most noise in the period: `$match` + `$group` + `$sum` (all that
   * FerretDB 1.24 aggregates), sorted here.
   */
  async noisiest(q: FactQuery, limit: number): Promise<NoiseRow[]> {
    const rows = await this.groupSums<{ integration: string; dedupKey: string; title: string }>(
      [{ $match: filterOf(q) }],
      { integration: '$integration', dedupKey: '$dedupKey', title: '$title' },
      { alerts: 1, events: '$events' },
    );
    return rows
      .map((r) => ({ ...r._id, alerts: r.alerts ?? 0, events: r.events ?? 0 }))
      .sort((a, b) => b.events - a.events || b.alerts - a.alerts || a.title.localeCompare(b.title))
      .slice(0, limit);
  }

  /** Alert counts per dispatch rule (an alert counts once for each rule that matched it). */
  async byRule(q: FactQuery): Promise<Array<{ rule: string; alerts: number; events: number }>> {
    const rows = await this.groupSums<string>([{ $match: filterOf(q) }, { $unwind: '$rules' }], '$rules', { alerts: 1, events: '$events' });
    return rows.map((r) => ({ rule: r._id, alerts: r.alerts ?? 0, events: r.events ?? 0 })).sort((a, b) => b.events - a.events);
  }

  /** Alert counts per integration (source), noisiest first. */
  async bySource(q: FactQuery): Promise<Array<{ integration: string; alerts: number; events: number }>> {
    const rows = await this.groupSums<string>([{ $match: filterOf(q) }], '$integration', { alerts: 1, events: '$events' });
    return rows.map((r) => ({ integration: r._id, alerts: r.alerts ?? 0, events: r.events ?? 0 })).sort((a, b) => b.events - a.events);
  }

  /**
   * `$group` with `$sum`s, one aggregation per sum, joined here by group key: FerretDB 1.24
   * computes only the first accumulator of a `$group` and answers 0 for the others (seen on
   * 1.24.2; test/integration/analytics-api.test.ts would catch a regression).
   */
  private async groupSums<K>(
    stages: Document[],
    id: unknown,
    sums: Record<string, 1 | string>,
  ): Promise<Array<{ _id: K } & Partial<Record<string, number>>>> {
    const byKey = new Map<string, { _id: K } & Record<string, number>>();
    const results = await Promise.all(
      Object.entries(sums).map(async ([name, what]) => {
        const rows = await this.col.aggregate<{ _id: K; v: number }>([...stages, { $group: { _id: id, v: { $sum: what } } }]).toArray();
        return rows.map((r) => ({ name, ...r }));
      }),
    );
    for (const r of results.flat()) {
      const key = JSON.stringify(r._id);
      const row = byKey.get(key) ?? ({ _id: r._id } as { _id: K } & Record<string, number>);
      row[r.name] = r.v;
      byKey.set(key, row);
    }
    return [...byKey.values()];
  }
}

/** The document `upsertOf` makes when there is none yet. */
function insertOf(p: FactPatch): FactDoc {
  const { alertId, ...snapshot } = p.set;
  return {
    ...snapshot,
    _id: alertId,
    muted: Boolean(p.flags.muted),
    escalations: p.max.escalations,
    ...(p.once.claimedBy ? { claimedBy: p.once.claimedBy } : {}),
    ...(p.pages.length ? { pages: p.pages } : {}),
  } as FactDoc;
}

function upsertOf(p: FactPatch, opts: { rebuild?: boolean }): { filter: Filter<FactDoc>; update: Record<string, unknown> } {
  const { alertId, ...snapshot } = p.set;
  const $set: Record<string, unknown> = { ...snapshot };
  const $setOnInsert: Record<string, unknown> = {};
  if (p.flags.muted) $set.muted = true;
  else $setOnInsert.muted = false;
  if (p.once.claimedBy) (opts.rebuild ? $setOnInsert : $set).claimedBy = p.once.claimedBy;
  const update: Record<string, unknown> = { $set, $max: { escalations: p.max.escalations } };
  if (Object.keys($setOnInsert).length) update.$setOnInsert = $setOnInsert;
  // A page recorded again (a write retried, a rebuild's fact updated) is the same element: no double count.
  if (p.pages.length) update.$addToSet = { pages: { $each: p.pages } };
  return { filter: { _id: alertId }, update };
}

function filterOf(q: FactQuery): Filter<FactDoc> {
  const f: Filter<FactDoc> = { openedAt: { $gte: q.from, $lt: q.to } };
  if (q.team) f.teams = q.team;
  return f;
}

function toFact(d: FactDoc): AlertFact {
  const { _id, ...rest } = d;
  return {
    ...rest,
    alertId: _id,
    rules: rest.rules ?? [],
    teams: rest.teams ?? [],
    escalations: rest.escalations ?? 0,
    muted: Boolean(rest.muted),
    ...(rest.pages?.length ? { pages: rest.pages } : {}),
  };
}
