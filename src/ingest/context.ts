import type { Arrival } from '../core/routing.js';
import type { Runtime } from '../runtime.js';
import type { IngestContext } from '../store/alerts.js';

/**
 * The ingestion context of events arriving through an integration (a real one, or the synthetic
 * `heartbeats` one): dispatch decides the route and maintenance whether the alert opens inside a
 * window, both only when an event opens an alert.
 */
export function ingestContext(rt: Pick<Runtime, 'dispatcher' | 'maintenance'>, arrival: Arrival): IngestContext {
  const maintenance = rt.maintenance;
  return {
    ...arrival,
    dispatch: (e, at) => rt.dispatcher.route(arrival, e, at).route,
    ...(maintenance ? { maintenance: (e, at) => maintenance.windowFor(arrival, e, at) } : {}),
  };
}
