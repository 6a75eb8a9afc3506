import type { Agenda } from 'agenda';
import { applyAction } from '../actions/apply.js';
import type { Runtime } from '../runtime.js';

export const UNMUTE_JOB = 'unmute-alert';

interface UnmuteData {
  alertId: string;
  /** The mute this job ends; a later mute (or an unmute) makes this job stale. */
  until: string;
}

/**
 * Ends a mute on time. The alert's `mutedUntil` is the truth: a job whose `until` no longer
 * matches it is stale and does nothing, so running twice, or after a manual unmute, is harmless.
 */
export function defineUnmute(agenda: Agenda, rt: Pick<Runtime, 'alerts' | 'events' | 'clock' | 'log'>): void {
  agenda.define(UNMUTE_JOB, async (job: { attrs: { data?: unknown } }) => {
    const data = job.attrs.data as UnmuteData;
    await unmuteIfCurrent(rt, data);
  });
}

export async function unmuteIfCurrent(rt: Pick<Runtime, 'alerts' | 'events' | 'clock'>, data: UnmuteData): Promise<boolean> {
  const alert = await rt.alerts.get(data.alertId);
  if (!alert?.mutedUntil || alert.mutedUntil.toISOString() !== data.until) return false;
  const r = await applyAction(rt, alert.id, { kind: 'unmute' }, { kind: 'system', name: 'dutybot', via: 'timer' });
  return r.ok;
}

export async function scheduleUnmute(agenda: Agenda, alertId: string, until: Date): Promise<void> {
  await agenda.schedule(until, UNMUTE_JOB, { alertId, until: until.toISOString() } satisfies UnmuteData);
}
