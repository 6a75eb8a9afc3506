import type { Directory } from '../config/directory.js';
import type { Alert } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { whoIsOnCall, type OverrideSpan } from '../core/oncall.js';
import { assignCandidates, pickInTurn } from '../core/round-robin.js';
import type { AlertEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { AssignTurns } from '../store/assign-turns.js';

export interface RoundRobinDeps {
  directory: Directory;
  overrides: { forSchedule(scheduleId: string): Promise<OverrideSpan[]> };
  turns: Pick<AssignTurns, 'take' | 'assign'>;
  clock: Clock;
  /** The alert changed: its cards show the assignee, and @-mention them (src/bot/card-sync.ts). */
  assigned: (alert: Alert) => void;
  log: Logger;
}

/**
 * `teams[].assign: { mode: round-robin }`: each new alert of a team that has it names the next
 * member in turn. Runs on the `opened` event, after the alert is stored and answered for, so
 * ingestion waits for none of it; the card is posted at once and re-rendered with the assignee
 * (on Slack the @-mention is a thread reply anyway, decision 0020). Only `opened` takes a turn:
 * repeats of an open alert are `deduplicated` events.
 */
export class RoundRobin {
  constructor(private readonly deps: RoundRobinDeps) {}

  readonly onEvent = async (ev: AlertEvent): Promise<void> => {
    if (ev.type !== 'opened') return;
    const dir = this.deps.directory;
    const team = (ev.alert.route?.teams ?? [ev.alert.team]).map((id) => dir.team(id)).find((t) => t?.assign);
    if (!team?.assign) return;
    const among = team.assign.among;
    const now = this.deps.clock.now();
    // Who may take the turn is read before the alert's lock (schedules, covers), so repeats of
    // the alert arriving meanwhile wait only for the turn and the write.
    const candidates = assignCandidates({
      members: team.members,
      among,
      onCall: among === 'on-call' ? await this.onCallNow(now) : new Set(),
      paused: new Set(dir.config.members.filter((m) => m.paused).map((m) => m.id)),
    });
    // Nobody eligible (all paused, or no team member on call): nobody is named, no turn is used.
    if (candidates.length === 0) return;
    const after = await this.deps.turns.assign(
      ev.alert,
      async () => {
        const member = dir.member(pickInTurn(candidates, await this.deps.turns.take(team.id)) ?? '');
        return member ? { memberId: member.id, name: member.name } : undefined;
      },
      now,
    );
    if (after) {
      this.deps.log.info({ alertId: after.id, team: team.id, assignee: after.assignee?.memberId }, 'alert assigned (round-robin)');
      this.deps.assigned(after);
    }
  };

  /** Members on call now on any schedule, covers from chat included. */
  private async onCallNow(now: Date): Promise<Set<string>> {
    const cfg = this.deps.directory.config;
    const people = await Promise.all(
      cfg.schedules.map(async (s) => whoIsOnCall(s, now, { extraOverrides: await this.deps.overrides.forSchedule(s.id), calendars: cfg.calendars })?.member),
    );
    return new Set(people.filter((m): m is string => !!m));
  }
}
