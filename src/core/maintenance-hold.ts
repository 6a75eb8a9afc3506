import { pauseAck, resumeAck } from './ack-timeout.js';
import { pause, resume, startEscalation, type AlertEscalation, type EscalationSnapshot } from './escalation.js';

/**
 * What a maintenance window does to the plan of an alert that was already open when it began,
 * pure. While held, the plan is paused (the next step and the ack deadline keep what was left;
 * `isActive`/`ackOutcome` also refuse anything while `alert.maintenance` is set). When the window
 * ends, an alert still triggered escalates "as if it had just arrived": a new run (new token, so
 * every older job and timer is stale) from level 1 timed from the end. A claimed alert keeps its
 * claim; its ack deadline resumes with the time that was left. A mute still running keeps both
 * paused: the unmute resumes them.
 */

type AlertView = { state: string; mutedUntil?: Date };

export function holdPlan(esc: AlertEscalation, now: Date): AlertEscalation {
  return pauseAck(pause(esc, now), now);
}

export function releasePlan(
  esc: AlertEscalation | undefined,
  policy: EscalationSnapshot | undefined,
  alert: AlertView,
  now: Date,
  token: string,
): AlertEscalation | undefined {
  const muted = alert.mutedUntil !== undefined && alert.mutedUntil.getTime() > now.getTime();
  if (alert.state === 'triggered') {
    const snapshot = esc?.policy ?? policy;
    if (!snapshot) return undefined;
    const fresh = startEscalation(snapshot, now, token);
    return muted ? pause(fresh, now) : fresh;
  }
  if (!esc || muted) return esc;
  return resumeAck(resume(esc, now), now);
}
