import { describe, expect, it } from 'vitest';
import { assignCandidates, pickInTurn } from '../../../src/core/round-robin.js';

const none = new Set<string>();

describe('round-robin: who is next', () => {
  it('the whole team takes turns in config order, and wraps', () => {
    const c = assignCandidates({ members: ['zhang', 'li', 'wang'], among: 'team', onCall: none, paused: none });
    expect([0, 1, 2, 3, 4].map((n) => pickInTurn(c, n))).toEqual(['zhang', 'li', 'wang', 'zhang', 'li']);
  });

  it('a paused member is skipped and the others alternate evenly (no double turn for the next one)', () => {
    const c = assignCandidates({ members: ['zhang', 'li', 'wang'], among: 'team', onCall: none, paused: new Set(['li']) });
    expect([0, 1, 2, 3].map((n) => pickInTurn(c, n))).toEqual(['zhang', 'wang', 'zhang', 'wang']);
  });

  it('among on-call: only members on call now, still minus the paused ones', () => {
    const input = { members: ['zhang', 'li', 'wang'], among: 'on-call' as const, onCall: new Set(['wang', 'li', 'zhao']), paused: none };
    expect(assignCandidates(input)).toEqual(['li', 'wang']);
    expect(assignCandidates({ ...input, paused: new Set(['li']) })).toEqual(['wang']);
    expect(assignCandidates({ ...input, onCall: none })).toEqual([]);
  });

  it('nobody to assign gives undefined; a member listed twice counts once; an odd counter never throws', () => {
    expect(pickInTurn([], 3)).toBeUndefined();
    expect(assignCandidates({ members: ['zhang', 'zhang', 'li'], among: 'team', onCall: none, paused: none })).toEqual(['zhang', 'li']);
    expect(pickInTurn(['zhang', 'li'], -1)).toBe('zhang');
    expect(pickInTurn(['zhang', 'li'], Number.NaN)).toBe('zhang');
    expect(pickInTurn(['zhang', 'li'], 2 ** 40 + 1)).toBe('li');
  });
});
