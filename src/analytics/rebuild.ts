import { factPatch, type FactSettings } from '../core/analytics.js';
import type { AlertStore } from '../store/alerts.js';
import type { AnalyticsFactStore } from '../store/analytics-facts.js';

/**
 * Rewrites every alert's analytics fact from the alert as stored: the repair for facts the
 * best-effort recorder missed (a crash with a queue, a database hiccup). Idempotent; safe while
 * dutybot runs (a live event's newer snapshot simply lands after it). What the alert does not
 * keep is approximated: the first claimer is its current owner where the fact has none, and
 * "muted" is only known for an alert muted now or already recorded as muted.
 */
export async function rebuildFacts(
  alerts: Pick<AlertStore, 'list'>,
  facts: AnalyticsFactStore,
  settingsOf: (team: string) => FactSettings,
  pageSize = 200,
): Promise<number> {
  let cursor: string | undefined;
  let n = 0;
  for (;;) {
    const page = await alerts.list({ limit: pageSize, ...(cursor ? { cursor } : {}) });
    for (const alert of page) {
      await facts.apply(factPatch({ type: 'rebuild', alert }, settingsOf), { rebuild: true });
      n += 1;
    }
    if (page.length < pageSize) return n;
    cursor = page.at(-1)!.id;
  }
}
