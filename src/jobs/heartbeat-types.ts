// The boundary of heartbeats: what REST, chat and the console ask of them. Runtime holds
// `Heartbeats`; keeping this file free of `Runtime` keeps the runtime out of an import circle.
import type { HeartbeatSpec } from '../core/heartbeat.js';
import type { HeartbeatDoc } from '../store/heartbeats.js';

/** The synthetic integration heartbeat alerts arrive through (routes can match `integration: [heartbeats]`). */
export const HEARTBEAT_INTEGRATION = 'heartbeats';

export interface HeartbeatRow {
  spec: HeartbeatSpec;
  doc: HeartbeatDoc | undefined;
  /** `up`, `down`, `paused`, `disabled`. */
  state: 'up' | 'down' | 'paused' | 'disabled';
}

export type PingResult = { ok: true; resolved: boolean; state: HeartbeatRow['state'] } | { ok: false; reason: 'unknown' };

/** Heartbeats (dead man's switches) as REST, chat and the console use them (src/jobs/heartbeats.ts). */
export interface Heartbeats {
  readonly specs: ReadonlyMap<string, HeartbeatSpec>;
  /** A ping: the heartbeat is up again until `interval + grace` from now; a missed one's alert resolves. */
  ping(name: string, via: string): Promise<PingResult>;
  /** Pings every heartbeat fed by this integration's Watchdog alert; how many. */
  pingIntegration(integration: string): Promise<number>;
  /** Pauses one heartbeat: it cannot fire before `until`, and gets one full interval after it. */
  pause(name: string, until: Date, by: string): Promise<boolean>;
  list(): HeartbeatRow[];
}
