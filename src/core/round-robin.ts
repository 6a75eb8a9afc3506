/**
 * Round-robin assignment (`teams[].assign`), pure: who gets a new alert, given the team's members
 * in config order, who may take a turn now, and the team's turn counter. The counter lives in the
 * database (src/store/assign-turns.ts) and counts turns handed out; the candidates are the
 * eligible members in the team's order, and turn n goes to candidate n mod their number. Skipped
 * people (paused, or off shift for `among: on-call`) are simply not candidates, so the others keep
 * alternating evenly rather than the one after a skipped person getting two turns in a row.
 */
export type AssignAmong = 'on-call' | 'team';

export interface AssignInput {
  /** The team's members, in config order. */
  members: readonly string[];
  among: AssignAmong;
  /** Members on call now on any schedule (only read for `among: on-call`). */
  onCall: ReadonlySet<string>;
  /** Members who take no turns (`members[].paused`). */
  paused: ReadonlySet<string>;
}

/** The members who may be assigned now, in the team's order. */
export function assignCandidates(input: AssignInput): string[] {
  const seen = new Set<string>();
  return input.members.filter((m) => {
    if (seen.has(m) || input.paused.has(m)) return false;
    if (input.among === 'on-call' && !input.onCall.has(m)) return false;
    seen.add(m);
    return true;
  });
}

/** Whose turn `turn` (0, 1, 2, …) is among `candidates`; undefined when there are none. */
export function pickInTurn(candidates: readonly string[], turn: number): string | undefined {
  if (candidates.length === 0 || !Number.isSafeInteger(turn) || turn < 0) return candidates[0];
  return candidates[turn % candidates.length];
}
