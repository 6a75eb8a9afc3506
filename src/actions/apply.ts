import type { Actor, AlertAction } from '../core/types.js';
import type { AlertEvent } from '../events.js';
import type { Runtime } from '../runtime.js';
import type { TransitionResult } from '../store/alerts.js';

const EVENT_OF: Record<AlertAction['kind'], Extract<AlertEvent, { previous: unknown }>['type']> = {
  claim: 'claimed',
  resolve: 'resolved',
  reassign: 'reassigned',
  escalate: 'escalated',
  mute: 'muted',
  unmute: 'unmuted',
  unclaim: 'reopened',
};

/**
 * The one way a person's action changes an alert, whichever door it came through (REST, a chat
 * button, a chat command): compare-and-set in the store, then the domain event.
 */
export async function applyAction(
  rt: Pick<Runtime, 'alerts' | 'events' | 'clock'>,
  ref: string,
  action: AlertAction,
  actor: Actor,
): Promise<TransitionResult> {
  const r = await rt.alerts.transition(ref, action, actor, rt.clock.now());
  if (r.ok) rt.events.emit({ type: EVENT_OF[action.kind], alert: r.alert, previous: r.previous, entry: r.timeline });
  return r;
}
