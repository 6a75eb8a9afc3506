import { applyAction } from '../../actions/apply.js';
import type { Actor } from '../../core/types.js';
import type { Runtime } from '../../runtime.js';
import { actBackSchema } from './body.js';

/** Why an answer was not acted on (for the log), or what was done. */
export type ActBackOutcome = { applied: false; ignored?: string } | { applied: true; what: string };

/**
 * A receiver's 2xx answer, acted on when it is the documented act-back JSON
 * (`{"action": "resolve"|"claim"|"note", "note": "…"}`): applied through the one action path as
 * a `system` actor named after the webhook. An empty answer, or a JSON object without `action`,
 * asks for nothing; anything else is ignored (and the caller logs why).
 */
export async function actBack(
  rt: Pick<Runtime, 'alerts' | 'events' | 'clock'>,
  webhook: string,
  alertId: string,
  text: string,
  truncated: boolean,
): Promise<ActBackOutcome> {
  if (text.trim() === '') return { applied: false };
  if (truncated) return { applied: false, ignored: 'answer too large for an act-back' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { applied: false, ignored: 'answer is not JSON' };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { applied: false, ignored: 'answer is not a JSON object' };
  if (!('action' in json)) return { applied: false };
  const parsed = actBackSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { applied: false, ignored: `not a valid act-back: ${i.path.join('.') || 'body'}: ${i.message}` };
  }
  const { action, note } = parsed.data;
  if (action === 'note' && !note) return { applied: false, ignored: 'not a valid act-back: note: required for action "note"' };
  const actor: Actor = { kind: 'system', name: `webhook ${webhook}`, via: 'webhook' };
  if (action === 'note') {
    await rt.alerts.addTimeline([{ alertId, at: rt.clock.now(), kind: 'note', actor, text: note }]);
    return { applied: true, what: 'note' };
  }
  const r = await applyAction(rt, alertId, action === 'resolve' ? { kind: 'resolve', note } : { kind: 'claim' }, actor);
  if (!r.ok) return { applied: false, ignored: `${action} refused: ${r.reason}` };
  if (action === 'claim' && note) await rt.alerts.addTimeline([{ alertId, at: rt.clock.now(), kind: 'note', actor, text: note }]);
  return { applied: true, what: action };
}
