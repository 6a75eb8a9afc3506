import type { Schedule } from '../config/schema.js';
import type { Alert, TimelineEntry } from '../core/alert.js';
import { afterFired, dueLevel, type AlertEscalation, type StepRef } from '../core/escalation.js';
import { pagedPeople, resolveStep } from '../core/escalation-targets.js';
import { whoIsOnCall, type OverrideSpan } from '../core/oncall.js';
import type { NewOutboxMessage } from '../notify/message.js';
import type { Runtime } from '../runtime.js';
import type { EscalationChange, EscalationStore } from '../store/escalations.js';
import type { OnCallOverrideStore } from '../store/oncall-overrides.js';
import type { OutboxStore } from '../store/outbox.js';
import { lockRef, withAlertLocks, type LockRef } from './alert-locks.js';
import type { StepTimers } from './escalation-timers.js';

export const ESCALATION_ACTOR = { kind: 'system', name: 'dutybot', via: 'escalation' } as const;

export type StepOutcome = 'fired' | 'stale' | 'early';

/** A step to fire; `lock` when the waker knows the alert's lock key (timers do, jobs do not). */
export type Wake = { ref: StepRef; lock?: LockRef };

export interface StepFiringDeps {
  rt: Pick<Runtime, 'events' | 'clock' | 'directory' | 'notify'>;
  store: EscalationStore;
  outbox: Pick<OutboxStore, 'enqueue'>;
  overrides: Pick<OnCallOverrideStore, 'forSchedule'>;
  timers: Pick<StepTimers, 'armStep' | 'takeReadAhead'>;
  /** Hears each step's lateness (due time → its outbox rows stored), for the metrics and the bench. */
  onFired: (latenessMs: number, alertId: string) => void;
}

/** Fires escalation steps: pages into the outbox, then the plans and timelines, then the events. */
export class StepFiring {
  constructor(private readonly deps: StepFiringDeps) {}

  /**
   * Fires many steps with a few round trips. Inside all their alerts' locks: one read of the
   * alerts, the decision (pure), one insert of every step's outbox rows — from then on the step has
   * fired: its pages are durable and idempotent by `_id`, and `onFired` records its lateness —
   * then the plans and the timeline entries by group commit. Events and the next steps follow once
   * it is all stored. A crash after the outbox insert replays the step (its plan did not move) and
   * the outbox keeps one copy of each row.
   */
  async fire(wakes: Wake[], opts: { force?: boolean } = {}): Promise<Map<string, StepOutcome>> {
    const { store, rt, timers } = this.deps;
    const outcome = new Map<string, StepOutcome>();
    if (!wakes.length) return outcome;
    const byId = new Map(wakes.map((w) => [w.ref.alertId, w.ref]));
    // Timers know each alert's lock key; a backstop job or the auditor names only the alert.
    const locks = new Map(wakes.flatMap((w) => (w.lock ? [[w.ref.alertId, w.lock] as const] : [])));
    const unknown = [...byId.keys()].filter((id) => !locks.has(id));
    for (const a of await store.many(unknown)) if (a.escalation) locks.set(a.id, lockRef(a));
    if (!locks.size) return outcome;
    const fired: Array<{ alert: Alert; previous: Alert; entry: TimelineEntry; dueAt: Date; paged: { step: string; members: string[] } }> = [];
    const early: Array<{ alert: Alert; esc: AlertEscalation }> = [];
    await withAlertLocks(store.alerts, [...locks.values()], async () => {
      // Read ahead and untouched since (nothing took its lock): still current. Others are read now.
      const current: Alert[] = [];
      for (const id of locks.keys()) {
        const ahead = timers.takeReadAhead(id);
        if (ahead && store.alerts.unchangedSince(ahead.alert, ahead.mark)) current.push(ahead.alert);
      }
      const known = new Set(current.map((a) => a.id));
      current.push(...(await store.many([...locks.keys()].filter((id) => !known.has(id)))));
      const now = rt.clock.now();
      const onCall = await this.onCallAt(current.flatMap((a) => (a.escalation ? [a.escalation] : [])), now);
      const messages: NewOutboxMessage[] = [];
      const saves: Array<{ alert: Alert; escalation: AlertEscalation; change: EscalationChange }> = [];
      const entries: TimelineEntry[] = [];
      const dues: Date[] = [];
      const paged: Array<{ step: string; members: string[] }> = [];
      for (const alert of current) {
        const ref = byId.get(alert.id);
        const esc = alert.escalation;
        if (!esc || !ref) continue;
        const due = dueLevel(esc, opts.force ? { state: 'triggered' } : alert, now, ref);
        if (!due) {
          const same = esc.token === ref.token && esc.cycle === ref.cycle && esc.level === ref.level;
          if (same && esc.nextAt && esc.nextAt.getTime() > now.getTime()) early.push({ alert, esc });
          continue;
        }
        const fx = resolveStep(ref, due.targets, { onCall, team: (id) => rt.directory.team(id) });
        const of = esc.policy.levels.length;
        const reason = `escalation level ${due.level} of ${of}${due.cycle > 1 ? `, cycle ${due.cycle}` : ''}`;
        messages.push(...fx.messages.map((m) => ({ ...m, alertId: alert.id, reason, level: due.level, cycle: due.cycle })));
        const next: AlertEscalation = { ...afterFired(esc, now), mentions: [...new Set([...(esc.mentions ?? []), ...fx.mentions])] };
        saves.push({ alert, escalation: next, change: { level: due.level, addTeams: fx.teams, visible: true } });
        entries.push({
          alertId: alert.id,
          at: now,
          kind: 'escalated',
          actor: { ...ESCALATION_ACTOR },
          text: `level ${due.level} of ${of}${due.cycle > 1 ? ` (cycle ${due.cycle})` : ''}: ${fx.notified.join(' · ')}`,
        });
        dues.push(due.dueAt);
        paged.push({ step: `${esc.token}:${due.cycle}:${due.level}`, members: pagedPeople(fx) });
      }
      if (!saves.length) return;
      await this.deps.outbox.enqueue(messages, now);
      // Fired: the pages are stored. The sender delivers them now rather than at its next pass.
      const storedAt = rt.clock.now().getTime();
      saves.forEach((s, i) => this.deps.onFired(storedAt - dues[i]!.getTime(), s.alert.id));
      if (messages.length) rt.notify?.kick();
      // The plan before the timeline: a crash between them loses an entry, never writes one twice.
      const saved = await store.saveMany(saves);
      await store.addTimeline(entries);
      saved.forEach((alert, i) => fired.push({ alert, previous: saves[i]!.alert, entry: entries[i]!, dueAt: dues[i]!, paged: paged[i]! }));
    });
    for (const f of fired) {
      outcome.set(f.alert.id, 'fired');
      rt.events.emit({ type: 'escalated', alert: f.alert, previous: f.previous, entry: f.entry, paged: f.paged });
    }
    // Woken before its time (a backstop run by a process whose clock is ahead): keep it armed here;
    // its own backstop is still saved, so no new one (which could wake early again).
    for (const e of early) {
      outcome.set(e.alert.id, 'early');
      await timers.armStep(e.alert, e.esc, { backstop: false });
    }
    for (const f of fired) if (f.alert.escalation) await timers.armStep(f.alert, f.alert.escalation);
    return outcome;
  }

  /** Who is on call on each schedule the plans name, at `now`, with the covers made in chat. */
  private async onCallAt(plans: AlertEscalation[], now: Date): Promise<(scheduleId: string) => string | null> {
    const dir = this.deps.rt.directory;
    const ids = new Set<string>();
    for (const esc of plans)
      for (const l of esc.policy.levels)
        for (const t of l.notify) {
          if (t.schedule) ids.add(t.schedule);
          const teamSchedule = t.team ? dir.team(t.team)?.schedule : undefined;
          if (teamSchedule) ids.add(teamSchedule);
        }
    const answers = new Map<string, string | null>();
    for (const id of ids) {
      const s: Schedule | undefined = dir.config.schedules.find((x) => x.id === id);
      const extra: OverrideSpan[] = s ? await this.deps.overrides.forSchedule(id) : [];
      answers.set(id, s ? (whoIsOnCall(s, now, { extraOverrides: extra, calendars: dir.config.calendars })?.member ?? null) : null);
    }
    return (id) => answers.get(id) ?? null;
  }
}
