import { labelValue } from '../sources/labels.js';
import type { NormalizedEvent } from '../core/types.js';

/**
 * Takes an integration's Watchdog alert (`alertname` = its `watchdog`) out of a batch. A firing
 * Watchdog is a ping; a resolved one (Prometheus itself stopped) is not, so the heartbeat fires.
 */
export function splitWatchdog(events: NormalizedEvent[], watchdog: string | undefined): { events: NormalizedEvent[]; watchdog: boolean } {
  if (!watchdog) return { events, watchdog: false };
  let seen = false;
  const rest = events.filter((e) => {
    if (labelValue(e.labels, 'alertname') !== watchdog) return true;
    if (e.eventType === 'trigger') seen = true;
    return false;
  });
  return { events: rest, watchdog: seen };
}
