import type { LoadedConfig } from './config/load.js';
import type { Directory } from './config/directory.js';
import type { Clock } from './core/clock.js';
import type { Dispatcher } from './core/routing.js';
import type { AlertEvents } from './events.js';
import type { Metrics } from './http/metrics.js';
import type { Logger } from './log.js';
import type { AlertStore } from './store/alerts.js';
import type { Database } from './store/database.js';
import type { RawEventStore } from './store/raw-events.js';
import type { OutboxStore } from './store/outbox.js';
import type { Heartbeats } from './jobs/heartbeat-types.js';
import type { Maintenance } from './jobs/maintenance-window.js';

/** Everything a running dutybot holds, passed explicitly (no module-level singletons). */
export interface Runtime {
  config: LoadedConfig;
  directory: Directory;
  database: Database;
  alerts: AlertStore;
  rawEvents: RawEventStore;
  events: AlertEvents;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  /** The config's dispatch rules, compiled once. */
  dispatcher: Dispatcher;
  /** The paging outbox (src/notify/): insert rows with `outbox.enqueue`, then `kick()` the sender. */
  notify?: { outbox: OutboxStore; kick(): void };
  /** Heartbeats (dead man's switches), when started. */
  heartbeats?: Heartbeats;
  /** Maintenance windows, when started; ingestion asks it whether a new alert opens inside one. */
  maintenance?: Maintenance;
}
