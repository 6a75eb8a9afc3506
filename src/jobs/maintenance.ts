import type { Agenda } from 'agenda';
import type { Matchers, RecurringMaintenance } from '../config/schema.js';
import type { Alert, AlertMaintenance, TimelineEntry } from '../core/alert.js';
import { compileMatchContext, compileMatchers, matchAlert, MatcherError, type CompiledMatchers, type MatchContext } from '../core/matchers.js';
import { subjectOf, type Arrival } from '../core/routing.js';
import { compileTimeWindow, type CompiledWindow } from '../core/time-window.js';
import type { Actor, NormalizedEvent } from '../core/types.js';
import type { Locale } from '../bot/card.js';
import { formatTime } from '../bot/render-card.js';
import type { TeamNotifier } from '../bot/team-notice.js';
import type { AlertEvent } from '../events.js';
import type { Runtime } from '../runtime.js';
import type { AlertMarks } from '../store/alert-marks.js';
import { KeyedLock } from '../store/keyed-lock.js';
import type { MaintenanceDoc, MaintenanceStore } from '../store/maintenance.js';
import { DueTimer } from './due-timer.js';

export const MAINTENANCE_JOB = 'maintenance-check';
/** How far ahead a recurring window's start or end is looked for, minute by minute. */
const SCAN_LIMIT_MS = 8 * 86_400_000;

/** A refusal with the right form, in both languages (chat answers privately, REST with 4xx). */
export class MaintenanceError extends Error {
  constructor(
    readonly status: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

/** What its creator gives; `team` is the team of the channel it was created in, if any. */
export type NewWindow = Pick<MaintenanceDoc, 'match' | 'all' | 'startsAt' | 'endsAt' | 'reason' | 'createdBy'> & { team?: string };

interface Open {
  doc: MaintenanceDoc;
  matchers: CompiledMatchers;
}

interface Recurring {
  cfg: RecurringMaintenance;
  matchers: CompiledMatchers;
  window: CompiledWindow;
}

export interface WindowEnd {
  doc: MaintenanceDoc;
  fired: number;
  resolved: number;
  released: Alert[];
}

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
 */
export class MaintenanceService {
  private readonly open = new Map<string, Open>();
  private readonly recurring: Recurring[];
  private readonly ctx: MatchContext;
  private readonly lock = new KeyedLock();
  private readonly timer: DueTimer;
  private agenda?: Agenda;

  constructor(private readonly deps: MaintenanceDeps) {
    const { rt } = deps;
    this.ctx = compileMatchContext(rt.config);
    this.recurring = rt.config.maintenance.map((cfg) => ({
      cfg,
      matchers: compileMatchers(cfg.match, this.ctx),
      window: compileTimeWindow(cfg.time, this.ctx.calendars, rt.config.timeZone),
    }));
    this.timer = new DueTimer(rt.clock, deps.sleep, () => this.tick(), (err) => rt.log.error({ err }, 'maintenance check failed'));
  }

  async start(): Promise<void> {
    for (const doc of await this.deps.store.open()) this.open.set(doc._id, { doc, matchers: compileMatchers(doc.match, this.ctx) });
    this.deps.rt.events.subscribe(this.onEvent);
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
    };
    await this.deps.store.insert(doc);
    this.open.set(doc._id, { doc, matchers });
    rt.log.info({ window: doc._id, by: w.createdBy.name, until: doc.endsAt }, 'maintenance window created');
    if (doc.state === 'active') await this.announceStart(doc);
    await this.scheduleJob(doc.startsAt);
    await this.scheduleJob(doc.endsAt);
    this.timer.arm(doc.state === 'active' ? doc.endsAt : doc.startsAt);
    return doc;
  }

  /** Ends a window now (early, by someone) or on time (`by` absent). */
  async end(id: string, by?: Actor): Promise<WindowEnd> {
    return this.lock.run(`w:${id}`, async () => {
      const { rt } = this.deps;
      const doc = this.open.get(id)?.doc ?? (await this.deps.store.get(id));
      if (!doc) throw new MaintenanceError(404, `没有维护窗口 ${id}`, `no maintenance window ${id}`);
      if (doc.state === 'ended') throw new MaintenanceError(409, `维护窗口 ${id} 已结束`, `maintenance window ${id} has already ended`);
      const now = rt.clock.now();
      // Out of the in-memory list first: no alert opens into it from here on.
      this.open.delete(id);
      const ended: MaintenanceDoc = { ...doc, state: 'ended', endedAt: now, ...(by ? { endedBy: by } : {}) };
      await this.deps.store.set(id, { state: 'ended', endedAt: now, ...(by ? { endedBy: by } : {}) });
      const result = await this.release(ended, now);
      if (doc.state === 'active' || result.fired > 0) await this.announceEnd(result);
      rt.log.info({ window: id, fired: result.fired, resolved: result.resolved }, 'maintenance window ended');
      return result;
    });
  }

  /** Windows not yet ended, soonest end first. */
  list(): MaintenanceDoc[] {
    return [...this.open.values()].map((o) => o.doc).sort((a, b) => a.endsAt.getTime() - b.endsAt.getTime());
  }

  /** Starts scheduled windows, ends expired ones, opens recurring occurrences; returns the next time to look. */
  async tick(): Promise<Date | null> {
    const now = this.deps.rt.clock.now();
    for (const { doc } of [...this.open.values()]) {
      if (doc.state === 'scheduled' && doc.startsAt <= now) {
        doc.state = 'active';
        await this.deps.store.set(doc._id, { state: 'active' });
        await this.announceStart(doc);
      }
      if (doc.endsAt <= now) await this.end(doc._id).catch((err: unknown) => this.ignoreEnded(err));
    }
    for (const r of this.recurring) if (r.window.holds(now)) this.occurrence(r, now);
    let next: Date | null = null;
    const consider = (d: Date | null) => {
      if (d && d > now && (!next || d < next)) next = d;
    };
    for (const { doc } of this.open.values()) consider(doc.state === 'scheduled' ? doc.startsAt : doc.endsAt);
    for (const r of this.recurring) consider(this.scan(r.window, now, false));
    return next;
  }

  private readonly onEvent = (ev: AlertEvent): void => {
    const m = ev.type === 'opened' ? ev.alert.maintenance : undefined;
    if (!m) return;
    const open = this.open.get(m.windowId);
    if (open && !open.doc.alertIds.includes(ev.alert.id)) open.doc.alertIds.push(ev.alert.id);
    void this.deps.store.addAlert(m.windowId, ev.alert.id).catch((err: unknown) => this.deps.rt.log.warn({ err, window: m.windowId }, 'could not record an alert in its window'));
  };

  /** Clears the mark of every alert that opened in the window; those still firing are announced anew. */
  private async release(doc: MaintenanceDoc, now: Date): Promise<WindowEnd> {
    const { rt, marks } = this.deps;
    const fresh = (await this.deps.store.get(doc._id)) ?? doc;
    const ids = [...new Set([...doc.alertIds, ...fresh.alertIds])];
    let resolved = 0;
    const released: Alert[] = [];
    for (const id of ids) {
      const alert = await rt.alerts.get(id);
      if (!alert) continue;
      if (alert.state === 'resolved') resolved++;
      if (alert.maintenance?.windowId !== doc._id) continue;
      const after = await marks.maintenance(alert.id, null);
      if (!after || after.state === 'resolved') continue;
      const entry: TimelineEntry = {
        alertId: after.id,
        at: now,
        kind: 'received',
        actor: { kind: 'system', name: 'dutybot', via: 'maintenance' },
        text: `maintenance window ${doc._id} ended; dispatched now`,
      };
      await rt.alerts.addTimeline([entry]);
      released.push(after);
      // As if it had just arrived: its card goes out and its escalation starts.
      rt.events.emit({ type: 'opened', alert: after, entry });
    }
    return { doc, fired: ids.length, resolved, released };
  }

  /** The current occurrence of a recurring window holding at `at`, registered once. */
  private occurrence(r: Recurring, at: Date): MaintenanceDoc {
    for (const { doc } of this.open.values()) {
      if (doc.kind === 'recurring' && doc.name === r.cfg.name && doc.startsAt <= at && at < doc.endsAt) return doc;
    }
    const until = this.scan(r.window, at, true) ?? new Date(at.getTime() + SCAN_LIMIT_MS);
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
      createdBy: { kind: 'system', name: 'dutybot.yaml', via: 'config' },
      teams: this.teamsOf(r.cfg.match ?? {}),
      state: 'active',
      alertIds: [],
    };
    this.open.set(id, { doc, matchers: r.matchers });
    const log = this.deps.rt.log;
    // Ingestion asks synchronously; the record and the notice follow (a repeat insert is a no-op).
    void this.deps.store
      .insert(doc)
      .then((inserted) => (inserted ? this.announceStart(doc) : undefined))
      .catch((err: unknown) => log.warn({ err, window: id }, 'could not record a recurring maintenance window'));
    void this.scheduleJob(until);
    this.timer.arm(until);
    return doc;
  }

  /** The first minute from `from` at which the window stops holding (`end`) or starts holding; null beyond the scan limit. */
  private scan(w: CompiledWindow, from: Date, end: boolean): Date | null {
    const start = Math.floor(from.getTime() / 60_000) * 60_000 + 60_000;
    for (let t = start; t <= from.getTime() + SCAN_LIMIT_MS; t += 60_000) {
      const holds = w.holds(new Date(t));
      if (holds !== end) return new Date(t);
    }
    return null;
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

  private async announceStart(doc: MaintenanceDoc): Promise<void> {
    const fmt = (d: Date) => formatTime(d, { now: this.deps.rt.clock.now(), timeZone: this.deps.rt.config.timeZone });
    await this.deps.notify(doc.teams, (l) => ({
      heading:
        l === 'en'
          ? `🛠 Maintenance ${windowRef(doc)} started: ${describeMatch(doc)}, until ${fmt(doc.endsAt)}`
          : `🛠 维护窗口 ${windowRef(doc)} 开始：${describeMatch(doc)}，至 ${fmt(doc.endsAt)}`,
      lines: [whoWhy(doc, l), l === 'en' ? 'Matching alerts are recorded but post no card and page nobody.' : '期间匹配的告警照常记录，但不发卡片、不通知值班。'],
    })).catch((err: unknown) => this.deps.rt.log.warn({ err }, 'maintenance start notice failed'));
  }

  private async announceEnd(r: WindowEnd): Promise<void> {
    const { doc } = r;
    const teams = [...new Set([...doc.teams, ...r.released.map((a) => a.team)])];
    const firing = r.released.length;
    const early = doc.endedBy ? doc.endedBy.name : undefined;
    await this.deps.notify(teams, (l) => ({
      heading: l === 'en' ? `✅ Maintenance ${windowRef(doc)} ended: ${describeMatch(doc)}` : `✅ 维护窗口 ${windowRef(doc)} 结束：${describeMatch(doc)}`,
      lines: [
        l === 'en'
          ? `During the window: ${r.fired} fired, ${r.resolved} resolved, ${firing} still firing (their cards follow now)`
          : `窗口期间：触发 ${r.fired} 条，已恢复 ${r.resolved} 条，仍在告警 ${firing} 条（现在发出卡片）`,
        whoWhy(doc, l),
        ...(early ? [l === 'en' ? `Ended early by ${early}` : `由 ${early} 提前结束`] : []),
      ],
    })).catch((err: unknown) => this.deps.rt.log.warn({ err }, 'maintenance end notice failed'));
  }
}

export function windowRef(doc: Pick<MaintenanceDoc, '_id' | 'kind' | 'name'>): string {
  return doc.kind === 'recurring' ? `"${doc.name}"` : `#${doc._id}`;
}

/** `host=db-1 hostgroup=mysql` or `all`: the matchers as people wrote them. */
export function describeMatch(doc: Pick<MaintenanceDoc, 'match' | 'all'>): string {
  const m = doc.match;
  const parts = [
    ...(m.labels ?? []),
    ...(m.hostGroup ?? []).map((g) => `hostgroup=${g}`),
    ...(m.integration ?? []).map((g) => `integration=${g}`),
    ...(m.application ?? []).map((g) => `application=${g}`),
    ...(m.source ?? []).map((g) => `source=${g}`),
    ...(m.severity ?? []).map((g) => `severity=${g}`),
    ...(m.severityAtLeast ? [`severity>=${m.severityAtLeast}`] : []),
    ...(m.title ? [`title~/${m.title}/`] : []),
    ...(m.text ? [`text~/${m.text}/`] : []),
  ];
  return parts.length ? parts.join(' ') : 'all';
}

function whoWhy(doc: MaintenanceDoc, l: Locale): string {
  const reason = doc.reason ?? (l === 'en' ? 'no reason given' : '未填写原因');
  return l === 'en' ? `By ${doc.createdBy.name} · reason: ${reason}` : `创建人：${doc.createdBy.name} · 原因：${reason}`;
}
