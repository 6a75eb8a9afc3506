import type { Alert, TimelineKind } from './alert.js';
import type { Actor, AlertAction, AlertState, Owner } from './types.js';

/**
 * The alert state machine, pure. `decide` says whether an action is allowed on the alert as it
 * is now, and if so which fields change. The store applies the change with a compare-and-set on
 * `version`; when that loses a race it re-reads and asks again, so the loser gets the refusal
 * that matches what the winner did ("already claimed by 张三").
 */
export type Decision =
  | {
      ok: true;
      set: Partial<
        Pick<Alert, 'state' | 'owner' | 'claimedAt' | 'resolvedAt' | 'resolvedBy' | 'escalationLevel' | 'secondsToClaim' | 'secondsToResolve'>
      >;
      /** Fields to remove (unmute clears `mutedUntil`). */
      unset?: Array<'mutedUntil' | 'owner'>;
      /** Set when the action mutes. */
      mutedUntil?: Date;
      timeline: TimelineKind;
      text?: string;
    }
  | { ok: false; reason: string; code: 'already-claimed' | 'already-resolved' | 'not-allowed' };

type Snapshot = Pick<Alert, 'state' | 'owner' | 'resolvedBy' | 'resolvedAt' | 'firstSeenAt' | 'escalationLevel' | 'claimedAt'> & {
  mutedUntil?: Date;
};

const ALLOWED: Record<AlertState, readonly AlertAction['kind'][]> = {
  triggered: ['claim', 'resolve', 'reassign', 'escalate', 'mute', 'unmute'],
  acknowledged: ['resolve', 'reassign', 'escalate', 'mute', 'unmute', 'unclaim'],
  resolved: [],
};

/** The state-machine actions allowed in a state (mute/unmute further depend on `isMuted`). */
export function allowedActions(state: AlertState): readonly AlertAction['kind'][] {
  return ALLOWED[state].filter((a) => a !== 'mute' && a !== 'unmute' && a !== 'unclaim');
}

export function isMuted(alert: { mutedUntil?: Date }, now: Date): boolean {
  return alert.mutedUntil !== undefined && alert.mutedUntil.getTime() > now.getTime();
}

const seconds = (from: Date, to: Date): number => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

function refusal(alert: Snapshot): Decision {
  if (alert.state === 'resolved') {
    const by = alert.resolvedBy?.name;
    return { ok: false, code: 'already-resolved', reason: by ? `already resolved by ${by}` : 'already resolved' };
  }
  if (alert.state === 'acknowledged' && alert.owner) {
    return { ok: false, code: 'already-claimed', reason: `already claimed by ${alert.owner.name}` };
  }
  return { ok: false, code: 'not-allowed', reason: `not allowed while ${alert.state}` };
}

export function decide(alert: Snapshot, action: AlertAction, actor: Actor, now: Date): Decision {
  if (!ALLOWED[alert.state].includes(action.kind)) return refusal(alert);
  const owner = (name: string, memberId?: string): Owner => ({ memberId, name, at: now, via: actor.via });

  switch (action.kind) {
    case 'claim':
      return {
        ok: true,
        set: {
          state: 'acknowledged',
          owner: owner(actor.name, actor.memberId),
          claimedAt: now,
          secondsToClaim: seconds(alert.firstSeenAt, now),
        },
        timeline: 'claimed',
      };
    case 'resolve': {
      const set: Extract<Decision, { ok: true }>['set'] = {
        state: 'resolved',
        resolvedAt: now,
        resolvedBy: actor,
        secondsToResolve: seconds(alert.firstSeenAt, now),
      };
      return { ok: true, set, timeline: 'resolved', text: action.note };
    }
    case 'reassign':
      return {
        ok: true,
        set: {
          state: 'acknowledged',
          owner: owner(action.to.name, action.to.memberId),
          // Reassigning an unclaimed alert is a claim on someone's behalf: it counts as claimed.
          ...(alert.claimedAt ? {} : { claimedAt: now, secondsToClaim: seconds(alert.firstSeenAt, now) }),
        },
        timeline: 'reassigned',
        text: `→ ${action.to.name}${action.reason ? `: ${action.reason}` : ''}`,
      };
    case 'mute':
      if (action.until.getTime() <= now.getTime()) return { ok: false, code: 'not-allowed', reason: 'mute must end in the future' };
      return { ok: true, set: {}, mutedUntil: action.until, timeline: 'muted', text: action.until.toISOString() };
    case 'unmute':
      // An expired mute is still cleared (the unmute job runs at or after its end).
      if (alert.mutedUntil === undefined) return { ok: false, code: 'not-allowed', reason: 'not muted' };
      return { ok: true, set: {}, unset: ['mutedUntil'], timeline: 'unmuted' };
    case 'unclaim':
      // A later claim or reassign set a new `owner.at`: this timeout belonged to the old one.
      if (alert.owner?.at.getTime() !== action.ownerAt.getTime()) return { ok: false, code: 'not-allowed', reason: 'the claim has changed' };
      return { ok: true, set: { state: 'triggered' }, unset: ['owner'], timeline: 'reopened', text: action.reason };
    case 'escalate':
      return {
        ok: true,
        set: { escalationLevel: alert.escalationLevel + 1 },
        timeline: 'escalated',
        text: `level ${alert.escalationLevel + 1}${action.reason ? `: ${action.reason}` : ''}`,
      };
  }
}
