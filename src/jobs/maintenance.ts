import type { Agenda } from 'agenda';
import type { Matchers, RecurringMaintenance } from '../config/schema.js';
import type { Alert, AlertMaintenance } from '../core/alert.js';
import { compileMatchContext, compileMatchers, matchAlert, MatcherError, type CompiledMatchers, type MatchContext } from '../core/matchers.js';
import { subjectOf, type Arrival } from '../core/routing.js';
import { compileTimeWindow, type CompiledWindow } from '../core/time-window.js';
import type { Actor, NormalizedEvent } from '../core/types.js';
import { formatTime } from '../bot/render-card.js';
import type { TeamNotifier } from '../bot/team-notice.js';
import type { AlertEvent } from '../events.js';
import type { Runtime } from '../runtime.js';
import type { AlertMarks } from '../store/alert-marks.js';
import { KeyedLock } from '../store/keyed-lock.js';
import type { MaintenanceChange, MaintenanceDoc, MaintenanceStore } from '../store/maintenance.js';
import { subjectOfAlert } from '../notify/webhooks/outgoing.js';
import { DueTimer } from './due-timer.js';
import { MaintenanceHold, type HoldEscalation } from './maintenance-hold.js';
import { endNotice, startNotice } from './maintenance-notices.js';
import { nextChange, SCAN_LIMIT_MS } from './maintenance-recurring.js';
import { changeOf, MaintenanceError, windowRef, type Maintenance, type NewWindow, type WindowEnd } from './maintenance-window.js';


export const MAINTENANCE_JOB = 'maintenance-check';

interface Open {
  doc: MaintenanceDoc;
  matchers: CompiledMatchers;
}

interface Recurring {
  cfg: RecurringMaintenance;
  matchers: CompiledMatchers;
  window: CompiledWindow;
}

/** Who ends a window on time, and starts a scheduled one. */
const TIMER_ACTOR: Actor = { kind: 'system', name: 'dutybot', via: 'timer' };
/** Who starts and ends the occurrences of a recurring window. */
const CONFIG_ACTOR: Actor = { kind: 'system', name: 'dutybot.yaml', via: 'config' };

export interface MaintenanceDeps {
  rt: Runtime;
  store: MaintenanceStore;
  marks: AlertMarks;
  notify: TeamNotifier;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Maintenance windows. Alerts that open inside one (matched by the routes' matchers, tested in
 * memory at ingestion) are stored and deduplicated as usual but carry `alert.maintenance`: card
 * sync posts them no card and the escalation engine pages nobody for them. When the window ends
 * (on time, woken by a DueTimer and an Agenda job, or early by `maint end`), the mark is cleared
 * and each alert still firing is announced as `opened` again, so it gets its card and its
 * escalation as if it had just arrived; one message per team sums up the window.
 *
 * Alerts already open when a window begins (a one-off window created now, a scheduled one whose
 * time comes, a recurring occurrence) and matching it are held (src/jobs/maintenance-hold.ts):
 * marked, their escalation and ack timeout paused, the outbox cancels their pending pages. The
 * window records that it looked (`capturedAt`), so a restart before then looks again; at its end
 * they are released with the others and escalate again from level 1. Every change is pushed onto
 * the window's own `history` in the same update (the audit trail).
 */
export class MaintenanceService implements Maintenance {
  private readonly open = new Map<string, Open>();
  private readonly recurring: Recurring[];
  private readonly ctx: MatchContext;
  private readonly lock = new KeyedLock();
  private readonly timer: DueTimer;
  /** Holds the alerts already open when a window begins, and releases them at its end. */
  private readonly hold: MaintenanceHold;
  private agenda?: Agenda;
  /** Starts of recurring occurrences and ends under way (tick waits for them). */
  private readonly starting = new Set<Promise<unknown>>();

  constructor(private readonly deps: MaintenanceDeps) {
    const { rt } = deps;
    this.ctx = compileMatchContext(rt.config);
    this.recurring = rt.config.maintenance.map((cfg) => ({
      cfg,
      matchers: compileMatchers(cfg.match, this.ctx),
      window: compileTimeWindow(cfg.time, this.ctx.calendars, rt.config.timeZone),
    }));
    this.hold = new MaintenanceHold(rt, deps.marks);
    this.timer = new DueTimer(rt.clock, deps.sleep, () => this.tick(), (err) => rt.log.error({ err }, 'maintenance check failed'));
  }

  /** Released alerts get their plan from, and are armed by, the escalation engine. */
  useEscalation(e: HoldEscalation): void {
    this.hold.useEscalation(e);
  }

  async start(): Promise<void> {
    const unfinished: MaintenanceDoc[] = [];
    for (const doc of await this.deps.store.open()) {
      if (doc.state === 'ended') unfinished.push(doc);
      else this.open.set(doc._id, { doc, matchers: compileMatchers(doc.match, this.ctx) });
    }
    this.deps.rt.events.subscribe(this.onEvent);
    // A restart cut these short: the release of an ended window, the hold of a started one.
    // A failure here must not stop dutybot from starting: the next start (or, for a hold, the next
    // wake-up) tries again.
    const log = (what: string) => (err: unknown) => this.deps.rt.log.error({ err }, `maintenance: could not finish ${what} after a restart`);
    for (const doc of unfinished) await this.finishEnd(doc, this.deps.rt.clock.now()).catch(log(`the end of window ${doc._id}`));
    for (const o of [...this.open.values()]) if (o.doc.state === 'active' && !o.doc.capturedAt) await this.capture(o).catch(log(`the hold of window ${o.doc._id}`));
    this.timer.arm(this.deps.rt.clock.now());
  }

  stop(): void {
    this.timer.stop();
  }

  /** The durable wake-up: an Agenda job at each window's start and end runs the same check. */
  async schedule(agenda: Agenda): Promise<void> {
    this.agenda = agenda;
    agenda.define(MAINTENANCE_JOB, async () => {
      await this.tick();
    });
    await agenda.every('5 minutes', MAINTENANCE_JOB);
  }

  /** Asked by ingestion when an event opens an alert: the window it opens in, if any. */
  windowFor(arrival: Arrival, e: Omit<NormalizedEvent, 'eventType' | 'dedupKey'>, at: Date): AlertMaintenance | undefined {
    const subject = subjectOf(arrival, e);
    for (const { doc, matchers } of this.open.values()) {
      if (doc.state !== 'active' || doc.startsAt > at || doc.endsAt <= at) continue;
      if (matchAlert(matchers, subject, at).matched) return { windowId: doc._id, until: doc.endsAt };
    }
    for (const r of this.recurring) {
      if (!r.window.holds(at) || !matchAlert(r.matchers, subject, at).matched) continue;
      const occurrence = this.occurrence(r, at);
      return { windowId: occurrence._id, until: occurrence.endsAt };
    }
    return undefined;
  }

  /** Validates and opens a one-off window; throws {@link MaintenanceError}. */
  async create(w: NewWindow): Promise<MaintenanceDoc> {
    const { rt } = this.deps;
    const hasMatcher = Object.values(w.match).some((v) => v !== undefined);
    if (!hasMatcher && !w.all) {
      throw new MaintenanceError(400, '没有匹配条件的窗口会屏蔽全部告警：请写 all', 'a window without matchers silences every alert: write all if you mean it');
    }
    if (!(w.endsAt > w.startsAt)) throw new MaintenanceError(400, '结束时间早于开始时间', 'the end is before the start');
    if (w.endsAt <= rt.clock.now()) throw new MaintenanceError(400, '结束时间已经过去', 'the end is in the past');
    let matchers: CompiledMatchers;
    try {
      matchers = compileMatchers(w.match, this.ctx);
    } catch (err) {
      if (err instanceof MatcherError) throw new MaintenanceError(400, `匹配条件有误：${err.message}`, `bad matcher: ${err.message}`);
      throw err;
    }
    const now = rt.clock.now();
    const doc: MaintenanceDoc = {
      _id: await this.deps.store.nextId(),
      kind: 'once',
      match: w.match,
      all: w.all && !hasMatcher,
      startsAt: w.startsAt,
      endsAt: w.endsAt,
      ...(w.reason ? { reason: w.reason } : {}),
      createdBy: w.createdBy,
      teams: this.teamsOf(w.match, w.createdBy, w.team),
      state: w.startsAt <= now ? 'active' : 'scheduled',
      alertIds: [],
      heldIds: [],
    };
    doc.history = [changeOf(doc, 'created', w.createdBy, now)];
    await this.deps.store.insert(doc);
    const open = { doc, matchers };
    this.open.set(doc._id, open);
    rt.log.info({ window: doc._id, by: w.createdBy.name, until: doc.endsAt }, 'maintenance window created');
    if (doc.state === 'active') await this.announceStart(doc, await this.capture(open));
    await this.scheduleJob(doc.startsAt);
    await this.scheduleJob(doc.endsAt);
    this.timer.arm(doc.state === 'active' ? doc.endsAt : doc.startsAt);
    return doc;
  }

  /**
   * The open alerts a window with these matchers would hold if it began now, as `capture` picks
   * them (open, in no other window, matching): the console's live preview. Throws
   * {@link MaintenanceError} for a bad matcher, like `create`.
   */
  async preview(match: Matchers, limit = 100): Promise<Alert[]> {
    let matchers: CompiledMatchers;
    try {
      matchers = compileMatchers(match, this.ctx);
    } catch (err) {
      if (err instanceof MatcherError) throw new MaintenanceError(400, `匹配条件有误：${err.message}`, `bad matcher: ${err.message}`);
      throw err;
    }
    const now = this.deps.rt.clock.now();
    const out: Alert[] = [];
    for (const alert of await this.deps.rt.alerts.recent(now, 20_000)) {
      if (alert.state === 'resolved' || alert.maintenance) continue;
      if (matchAlert(matchers, subjectOfAlert(alert), now).matched) out.push(alert);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Ends a window now (early, by someone) or on time (`by` absent). */
  async end(id: string, by?: Actor): Promise<WindowEnd> {
    const ending = this.endLocked(id, by);
    this.starting.add(ending);
    void ending.catch(() => {}).finally(() => this.starting.delete(ending));
    return ending;
  }

  private async endLocked(id: string, by?: Actor): Promise<WindowEnd> {
    return this.lock.run(`w:${id}`, async () => {
      const { rt } = this.deps;
      const doc = this.open.get(id)?.doc ?? (await this.deps.store.get(id));
      if (!doc) throw new MaintenanceError(404, `没有维护窗口 ${id}`, `no maintenance window ${id}`);
      if (doc.state === 'ended') throw new MaintenanceError(409, `维护窗口 ${id} 已结束`, `maintenance window ${id} has already ended`);
      const now = rt.clock.now();
      // Out of the in-memory list first: no alert opens into it from here on.
      this.open.delete(id);
      const set = { state: 'ended' as const, endedAt: now, ...(by ? { endedBy: by } : {}), releasing: true };
      const ended: MaintenanceDoc = { ...doc, ...set };
      const who = by ?? (doc.kind === 'recurring' ? CONFIG_ACTOR : TIMER_ACTOR);
      const note = by ? (now < doc.endsAt ? 'ended early' : 'ended') : 'on time';
      await this.deps.store.change(id, set, changeOf(ended, 'ended', who, now, note));
      return this.finishEnd(ended, now, doc.state === 'active');
    });
  }

  /** Releases an ended window's alerts, records and announces the summary (again after a restart). */
  private async finishEnd(doc: MaintenanceDoc, now: Date, wasActive = true): Promise<WindowEnd> {
    const result = await this.release(doc, now);
    const summary = { fired: result.fired, held: result.held, resolved: result.resolved, stillFiring: result.released.length };
    await this.deps.store.set(doc._id, { releasing: false, summary });
    if (wasActive || result.fired > 0 || result.held > 0) await this.announceEnd(result);
    this.deps.rt.log.info({ window: doc._id, ...summary }, 'maintenance window ended');
    return result;
  }

  /** One window with its audit trail (null if unknown). */
  async get(id: string): Promise<MaintenanceDoc | null> {
    return this.open.get(id)?.doc ?? this.deps.store.get(id);
  }

  /** The audit trail of the latest windows, newest change first. */
  async audit(windows = 50): Promise<Array<MaintenanceChange & { windowId: string }>> {
    const docs = await this.deps.store.recent(windows);
    return docs
      .flatMap((d) => (d.history ?? []).map((h) => ({ windowId: d._id, ...h })))
      .sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  /** Windows ended since `since`, latest first (the `maint list` recap). */
  async endedSince(since: Date, limit = 5): Promise<MaintenanceDoc[]> {
    const docs = await this.deps.store.recent(50);
    return docs
      .filter((d) => d.state === 'ended' && d.endedAt && d.endedAt >= since)
      .sort((a, b) => b.endedAt!.getTime() - a.endedAt!.getTime())
      .slice(0, limit);
  }

  /** Windows not yet ended, soonest end first. */
  list(): MaintenanceDoc[] {
    return [...this.open.values()].map((o) => o.doc).sort((a, b) => a.endsAt.getTime() - b.endsAt.getTime());
  }

  /** Starts scheduled windows, ends expired ones, opens recurring occurrences; returns the next time to look. */
  async tick(): Promise<Date | null> {
    const now = this.deps.rt.clock.now();
    for (const open of [...this.open.values()]) {
      const { doc } = open;
      if (doc.state === 'scheduled' && doc.startsAt <= now) {
        doc.state = 'active';
        const entry = changeOf(doc, 'started', TIMER_ACTOR, now, 'on time');
        (doc.history ??= []).push(entry);
        const started = (async () => {
          await this.deps.store.change(doc._id, { state: 'active' }, entry);
          await this.announceStart(doc, await this.capture(open));
        })();
        this.starting.add(started);
        void started.catch(() => {}).finally(() => this.starting.delete(started));
        await started;
      } else if (doc.state === 'active' && !doc.capturedAt && doc.endsAt > now) {
        // Its hold failed (the database was away): this wake-up (or the Agenda job's) tries again.
        await this.capture(open);
      }
      if (doc.endsAt <= now) await this.end(doc._id).catch((err: unknown) => this.ignoreEnded(err));
    }
    for (const r of this.recurring) if (r.window.holds(now)) this.occurrence(r, now);
    // Another wake-up (the timer, the Agenda job) may be ending or starting one: done when it is.
    while (this.starting.size) await Promise.allSettled([...this.starting]);
    let next: Date | null = null;
    const consider = (d: Date | null) => {
      if (d && d > now && (!next || d < next)) next = d;
    };
    for (const { doc } of this.open.values()) consider(doc.state === 'scheduled' ? doc.startsAt : doc.endsAt);
    for (const r of this.recurring) consider(nextChange(r.window, now, false));
    return next;
  }

  private readonly onEvent = (ev: AlertEvent): void => {
    const m = ev.type === 'opened' ? ev.alert.maintenance : undefined;
    if (!m) return;
    const open = this.open.get(m.windowId);
    if (open && !open.doc.alertIds.includes(ev.alert.id)) open.doc.alertIds.push(ev.alert.id);
    void this.deps.store.addAlert(m.windowId, ev.alert.id).catch((err: unknown) => this.deps.rt.log.warn({ err, window: m.windowId }, 'could not record an alert in its window'));
  };

  /**
   * Holds the open alerts that match a window as it begins. Finding them is a scan of `alerts`
   * (FerretDB decodes every document of it in Go): acceptable once per window start, because that
   * collection only holds the open alerts and the last day's resolved ones (older ones are
   * archived); every write after that is by `_id`. Idempotent: a restart before `capturedAt` was
   * written looks again, and an alert already held by this window is only counted.
   */
  private async capture(open: Open): Promise<number> {
    const { doc, matchers } = open;
    const { rt, store } = this.deps;
    const hold = this.hold;
    const now = rt.clock.now();
    const mark: AlertMaintenance & { since: Date } = { windowId: doc._id, until: doc.endsAt, since: now };
    const held = new Set(doc.heldIds ?? []);
    for (const alert of await rt.alerts.recent(now, 20_000)) {
      if (alert.state === 'resolved') continue;
      const mine = alert.maintenance?.windowId === doc._id && alert.maintenance.since !== undefined;
      if (!mine && (alert.maintenance || doc.endsAt <= now || !matchAlert(matchers, subjectOfAlert(alert), now).matched)) continue;
      const after = mine ? alert : await hold.hold(alert.id, mark, windowRef(doc));
      if (after?.maintenance?.windowId !== doc._id || held.has(alert.id)) continue;
      await store.addHeld(doc._id, alert.id);
      held.add(alert.id);
    }
    doc.heldIds = [...held];
    doc.capturedAt = now;
    await store.set(doc._id, { capturedAt: now });
    if (held.size) rt.log.info({ window: doc._id, held: held.size }, 'open alerts held by a maintenance window');
    return held.size;
  }

  /** Lets every alert of the window go; those still firing are dispatched and escalated anew. */
  private async release(doc: MaintenanceDoc, now: Date): Promise<WindowEnd> {
    const fresh = (await this.deps.store.get(doc._id)) ?? doc;
    const opened = new Set([...doc.alertIds, ...fresh.alertIds]);
    const held = new Set([...(doc.heldIds ?? []), ...(fresh.heldIds ?? [])]);
    let resolved = 0;
    const released: Alert[] = [];
    for (const id of new Set([...opened, ...held])) {
      const r = await this.hold.release(id, doc._id, windowRef(doc), now);
      if (!r) continue;
      if (r.alert.state === 'resolved') resolved++;
      // Still firing, released now or by a run a restart cut short.
      else if (!r.alert.maintenance) released.push(r.alert);
    }
    return { doc, fired: opened.size, held: held.size, resolved, released };
  }

  /** The current occurrence of a recurring window holding at `at`, registered once. */
  private occurrence(r: Recurring, at: Date): MaintenanceDoc {
    for (const { doc } of this.open.values()) {
      if (doc.kind === 'recurring' && doc.name === r.cfg.name && doc.startsAt <= at && at < doc.endsAt) return doc;
    }
    const until = nextChange(r.window, at, true) ?? new Date(at.getTime() + SCAN_LIMIT_MS);
    const id = `cfg:${r.cfg.name}@${until.getTime()}`;
    const known = this.open.get(id);
    if (known) return known.doc;
    const doc: MaintenanceDoc = {
      _id: id,
      kind: 'recurring',
      name: r.cfg.name,
      match: r.cfg.match ?? {},
      all: r.cfg.all,
      startsAt: at,
      endsAt: until,
      ...(r.cfg.reason ? { reason: r.cfg.reason } : {}),
      createdBy: CONFIG_ACTOR,
      teams: this.teamsOf(r.cfg.match ?? {}),
      state: 'active',
      alertIds: [],
      heldIds: [],
    };
    doc.history = [changeOf(doc, 'started', CONFIG_ACTOR, at, `recurring window "${r.cfg.name}"`)];
    const open = { doc, matchers: r.matchers };
    this.open.set(id, open);
    const log = this.deps.rt.log;
    // Ingestion asks synchronously; the record, the hold and the notice follow (a repeat insert is
    // a no-op; a restart before the hold finished holds again: see start()).
    const started = this.deps.store
      .insert(doc)
      .then(async (inserted) => (inserted ? this.announceStart(doc, await this.capture(open)) : undefined))
      .catch((err: unknown) => log.warn({ err, window: id }, 'could not record a recurring maintenance window'));
    this.starting.add(started);
    void started.finally(() => this.starting.delete(started));
    void this.scheduleJob(until);
    this.timer.arm(until);
    return doc;
  }

  private async scheduleJob(at: Date): Promise<void> {
    if (!this.agenda) return;
    await this.agenda.schedule(at, MAINTENANCE_JOB, {}).catch((err: unknown) => this.deps.rt.log.warn({ err }, 'could not schedule a maintenance check'));
  }

  private ignoreEnded(err: unknown): void {
    if (!(err instanceof MaintenanceError)) this.deps.rt.log.error({ err }, 'maintenance window did not end cleanly');
  }

  /** The creator's teams, the channel's team, the teams of integrations named; every team when none. */
  private teamsOf(match: Matchers, by?: Actor, channelTeam?: string): string[] {
    const dir = this.deps.rt.directory;
    const teams = new Set<string>();
    if (channelTeam) teams.add(channelTeam);
    for (const name of match.integration ?? []) {
      const i = dir.config.integrations.find((x) => x.name === name);
      if (i) teams.add(i.team);
    }
    if (teams.size === 0 && by?.memberId) for (const t of dir.allTeams()) if (t.members.includes(by.memberId)) teams.add(t.id);
    if (teams.size === 0) for (const t of dir.allTeams()) teams.add(t.id);
    return [...teams];
  }

  private async announceStart(doc: MaintenanceDoc, held = 0): Promise<void> {
    const fmt = (d: Date) => formatTime(d, { now: this.deps.rt.clock.now(), timeZone: this.deps.rt.config.timeZone });
    await this.deps.notify(doc.teams, startNotice(doc, held, fmt)).catch((err: unknown) => this.deps.rt.log.warn({ err }, 'maintenance start notice failed'));
  }

  private async announceEnd(r: WindowEnd): Promise<void> {
    const teams = [...new Set([...r.doc.teams, ...r.released.map((a) => a.team)])];
    await this.deps.notify(teams, endNotice(r)).catch((err: unknown) => this.deps.rt.log.warn({ err }, 'maintenance end notice failed'));
  }
}
