import { Types } from 'mongoose';
import type { Alert } from '../core/alert.js';
import type { AlertState } from '../core/types.js';
import { toAlert } from './alert-doc.js';
import type { Models } from './models.js';

export interface ListQuery {
  states?: AlertState[];
  team?: string;
  ownerId?: string;
  limit: number;
  /** The id of the last alert of the previous page (alerts come newest first). */
  cursor?: string;
}

/** How many short ids a page of `list` that includes archived alerts may look at. */
const ARCHIVE_WALK_MIN = 200;

/**
 * Newest first. Open alerts and the last day's resolved ones come from `alerts` (small). When the
 * list may include resolved alerts, older ones come from the archive, found by walking short ids
 * down from the newest (lookups by `_id`, never a scan of the archive); the walk looks at a
 * bounded number of ids per page, so a filter that matches few archived alerts returns a shorter
 * page rather than reading the whole history.
 */
export async function listAlerts(m: Models, q: ListQuery, get: (ref: string) => Promise<Alert | null>): Promise<Alert[]> {
  const filter: Record<string, unknown> = {};
  if (q.states?.length) filter.state = { $in: q.states };
  if (q.team) filter.$or = [{ team: q.team }, { 'route.teams': q.team }];
  if (q.ownerId) filter['owner.memberId'] = q.ownerId;
  if (q.cursor) filter._id = { $lt: new Types.ObjectId(q.cursor) };
  const docs = await m.Alert.find(filter).sort({ _id: -1 }).limit(q.limit).lean();
  if (q.states?.length && !q.states.includes('resolved')) return docs.map(toAlert);
  const archived = await archivedPage(m, q, get);
  const seen = new Set(docs.map((d) => d._id.toHexString()));
  return [...docs.map(toAlert), ...archived.filter((a) => !seen.has(a.id))]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, q.limit);
}

async function archivedPage(m: Models, q: ListQuery, get: (ref: string) => Promise<Alert | null>): Promise<Alert[]> {
  let from: number;
  if (q.cursor) {
    const last = await get(q.cursor);
    if (!last) return [];
    from = last.shortId - 1;
  } else {
    from = (await m.Counter.findById('alert').lean())?.seq ?? 0;
  }
  const matches = (a: Alert): boolean =>
    (!q.team || a.team === q.team) && (!q.ownerId || a.owner?.memberId === q.ownerId) && (!q.cursor || a.id < q.cursor);
  const found: Alert[] = [];
  const stop = Math.max(0, from - Math.max(ARCHIVE_WALK_MIN, 4 * q.limit));
  for (let top = from; top > stop && found.length < q.limit; top -= q.limit) {
    const ids = Array.from({ length: Math.min(q.limit, top - stop) }, (_, i) => top - i);
    const page = await Promise.all(
      ids.map(async (shortId) => {
        const ref = await m.AlertRef.findById(String(shortId)).lean();
        const doc = ref ? await m.ArchivedAlert.findById(ref.alertId).lean() : null;
        return doc ? toAlert(doc) : null;
      }),
    );
    for (const a of page) if (a && matches(a)) found.push(a);
  }
  return found;
}

/** Alerts still open, and those resolved since `since` (their cards may still need the final edit). */
export async function recentAlerts(m: Models, since: Date, limit: number): Promise<Alert[]> {
  const docs = await m.Alert.find({ $or: [{ state: { $ne: 'resolved' } }, { resolvedAt: { $gte: since } }] })
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  return docs.map(toAlert);
}

export async function countOpenByState(m: Models): Promise<Record<AlertState, number>> {
  const rows = await m.Alert.aggregate<{ _id: AlertState; n: number }>([
    { $match: { state: { $in: ['triggered', 'acknowledged'] } } },
    { $group: { _id: '$state', n: { $sum: 1 } } },
  ]);
  const out: Record<AlertState, number> = { triggered: 0, acknowledged: 0, resolved: 0 };
  for (const r of rows) out[r._id] = r.n;
  return out;
}
