import type { Db } from 'mongodb';

/**
 * What the fault cases promise, read straight from the database: every alert a sender got 2xx
 * for is stored as exactly one alert, opened once on its timeline, and no event is on an alert's
 * timeline twice. (A sender that never heard its 2xx — the process died after storing — sends
 * again; that is one more receipt of the alert, counted as a repeat, never a second alert.)
 */
export interface Ledger {
  acked: number;
  alerts: number;
  /** Acknowledged dedup keys with no alert, or with more than one. */
  lost: string[];
  doubled: string[];
  /** Alerts whose timeline says `opened` more than once, and timeline entries present twice. */
  openedTwice: number;
  duplicateEntries: number;
  /** Receipts beyond the first (retries whose first answer was lost). */
  repeats: number;
}

export async function ledger(db: Db, acked: Iterable<string>): Promise<Ledger> {
  const alerts = await db.collection('alerts').find({}, { projection: { dedupKey: 1, count: 1 } }).toArray();
  const byKey = new Map<string, number>();
  for (const a of alerts) byKey.set(a.dedupKey as string, (byKey.get(a.dedupKey as string) ?? 0) + 1);
  const keys = [...acked];
  const timeline = await db.collection('timeline').find({}, { projection: { alertId: 1, kind: 1, rawEventId: 1 } }).toArray();
  const opened = new Map<string, number>();
  const seen = new Set<string>();
  let duplicateEntries = 0;
  for (const e of timeline) {
    const alertId = String(e.alertId);
    if (e.kind === 'opened') opened.set(alertId, (opened.get(alertId) ?? 0) + 1);
    if (e.rawEventId) {
      const k = `${alertId}|${String(e.rawEventId)}|${e.kind as string}`;
      if (seen.has(k)) duplicateEntries += 1;
      seen.add(k);
    }
  }
  return {
    acked: keys.length,
    alerts: alerts.length,
    lost: keys.filter((k) => !byKey.has(k)),
    doubled: [...byKey].filter(([, n]) => n > 1).map(([k]) => k),
    openedTwice: [...opened.values()].filter((n) => n > 1).length,
    duplicateEntries,
    repeats: alerts.reduce((s, a) => s + Math.max(0, ((a.count as number) ?? 1) - 1), 0),
  };
}

/** Card posts the chat platform received, against the card records that hold a posted message. */
export async function cardLedger(db: Db, postMessages: number): Promise<{ posts: number; cards: number; posting: number; duplicates: number }> {
  const cards = await db.collection('cards').find({}, { projection: { state: 1, messageId: 1 } }).toArray();
  const withMessage = cards.filter((c) => typeof c.messageId === 'string').length;
  return { posts: postMessages, cards: withMessage, posting: cards.filter((c) => c.state === 'posting').length, duplicates: postMessages - withMessage };
}

/** Long runs (`npm run test:faults`) use the sizes; `npm test` a short version. */
export const LONG = process.env.DUTYBOT_FAULTS === 'long';

export function randomPoints(count: number, total: number): number[] {
  return Array.from({ length: count }, () => Math.floor(total * (0.1 + 0.7 * Math.random()))).sort((a, b) => a - b);
}
