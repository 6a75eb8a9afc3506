import type { Member } from './config/schema.js';
import type { Server } from 'node:http';
import type { Agenda } from 'agenda';
import { Directory } from './config/directory.js';
import type { LoadedConfig } from './config/load.js';
import { systemClock, type Clock } from './core/clock.js';
import { Dispatcher } from './core/routing.js';
import { AlertEvents } from './events.js';
import { createHttpApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { registerAdapters } from './bot/adapters.js';
import { CardSync } from './bot/card-sync.js';
import type { ChatAdapter } from './bot/chat-adapter.js';
import { ChatService } from './bot/chat-service.js';
import { startAgenda } from './jobs/agenda.js';
import { defineUnmute, scheduleUnmute } from './jobs/unmute.js';
import { CardStore } from './store/cards.js';
import { Deliveries } from './store/deliveries.js';
import { scheduleRetention } from './jobs/retention.js';
import { log as rootLog, type Logger } from './log.js';
import type { Runtime } from './runtime.js';
import { AlertStore } from './store/alerts.js';
import { openDatabase } from './store/database.js';
import { RawEventStore } from './store/raw-events.js';
import { startNotify, type Notify } from './notify/start-notify.js';
import { OutgoingWebhooks } from './notify/webhooks/outgoing.js';
import { RemediationActions } from './notify/webhooks/remediation.js';
import { RunCommand } from './bot/run-command.js';
import { RemediationState } from './store/remediation-state.js';
import { scheduleNotifyRetention } from './jobs/notify-retention.js';
import { parseConfigDuration } from './core/duration.js';
import { HeartbeatMonitor } from './jobs/heartbeats.js';
import { MaintenanceService } from './jobs/maintenance.js';
import { HeartbeatStore } from './store/heartbeats.js';
import { MaintenanceStore } from './store/maintenance.js';
import { AlertMarks } from './store/alert-marks.js';
import { teamNotifier } from './bot/team-notice.js';
import { OpsCommands } from './bot/ops-commands.js';
import { databaseHealth } from './http/database-health.js';
import type { DatabaseHealth } from './store/supervisor.js';
import type { ReadinessCheck } from './http/health-routes.js';
import { setUpAnalytics, type Analytics } from './analytics/wire.js';
import { scheduleWeeklyReports } from './jobs/weekly-report.js';
import { EscalationEngine } from './jobs/escalation-engine.js';
import { defineEscalationStep, scheduleEscalationStep } from './jobs/escalation-step.js';
import { EscalationMetrics, auditEscalations, scheduleEscalationAudit } from './jobs/escalation-audit.js';
import { EscalationStore } from './store/escalations.js';
import { OnCallOverrideStore } from './store/oncall-overrides.js';
import { OutboxStore } from './store/outbox.js';
import { OnCallCommands } from './bot/oncall-commands.js';
import { createConsole, type Console } from './console/console.js';
import { directRoute } from './notify/providers/direct.js';
import { CalendarCommand } from './bot/calendar-command.js';
import { CalendarFeedStore } from './store/calendar-feeds.js';
import { OnCallFeeds } from './oncall/feeds.js';
import { IntegrationActivity } from './store/integration-activity.js';
import { HandoffNotices } from './oncall/handoffs.js';
import { pager as makePager } from './oncall/paging.js';
import { PageCommand } from './bot/page-command.js';
import { OverrideCommands } from './bot/override-commands.js';
import { SwapCommand } from './bot/swap-command.js';
import { chatQuestions } from './bot/questions.js';
import { RoundRobin } from './oncall/round-robin.js';
import { AssignTurns } from './store/assign-turns.js';
import { OnCallSwapStore } from './store/oncall-swaps.js';
import { identityPlatform } from './bot/chat-service.js';
import { OnCallNoticeStore } from './store/oncall-notices.js';
import { scheduleOnCallNotices } from './jobs/oncall-notices.js';

export interface StartOptions {
  config: LoadedConfig;
  /** A URI naming the database (see withDatabase). */
  mongoUri: string;
  port: number;
  host?: string;
  clock?: Clock;
  log?: Logger;
  /** Tests turn Agenda off when they drive jobs by hand. */
  jobs?: boolean;
  /** Chat adapters (see adapters/*); none means chat is off. */
  adapters?: ChatAdapter[];
  /** How the card sender waits (rate limits); tests pass one that moves a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** The outbox sender's periodic pass (ms); `false` leaves only kick() (tests drive it). */
  outboxIntervalMs?: number | false;
  /** The embedded database's supervisor (none for MONGODB_URI): /readyz and /metrics show it. */
  databaseHealth?: DatabaseHealth;
  /** Wall-clock timers for escalation steps; tests with a fake clock turn them off and call `escalation.tick()`. */
  escalationTimers?: boolean;
  /** A TLS proxy in front sets X-Forwarded-Proto: believe it (the console's cookies get `Secure`). */
  trustProxy?: boolean;
}

export interface Dutybot {
  runtime: Runtime;
  cards: CardSync;
  chat: ChatService;
  notify: Notify;
  server: Server;
  agenda?: Agenda;
  analytics: Analytics;
  escalation: EscalationEngine;
  overrides: OnCallOverrideStore;
  console: Console;
  feeds: OnCallFeeds;
  handoffs: HandoffNotices;
  /** The services themselves (the runtime holds their narrow faces): tests and benches drive their checks. */
  heartbeats: HeartbeatMonitor;
  maintenance: MaintenanceService;
  /** What each integration sent (counted for the console). */
  activity: IntegrationActivity;
  url: string;
  stop(): Promise<void>;
}

/** Starts everything in order: database (and migrations), runtime, HTTP, jobs. */
export async function startDutybot(opts: StartOptions): Promise<Dutybot> {
  const log = opts.log ?? rootLog;
  const database = await openDatabase(opts.mongoUri, log);
  const alerts = new AlertStore(database.models, { casFilters: !database.ferretdb });
  const runtime: Runtime = {
    config: opts.config,
    directory: new Directory(opts.config),
    database,
    alerts,
    rawEvents: new RawEventStore(database.models),
    events: new AlertEvents((err, ev) => log.error({ err, event: ev.type, alertId: ev.alert.id }, 'alert event handler failed')),
    clock: opts.clock ?? systemClock,
    metrics: new Metrics(() => alerts.countByState()),
    log,
    dispatcher: new Dispatcher(opts.config),
  };
  const adapters = registerAdapters(opts.adapters ?? []);
  const timeZone = opts.config.timeZone;
  // Remediation actions (`actions:`): buttons on cards, `run`, approvals stored on the alert.
  const remediation = new RemediationActions(runtime, new RemediationState(database.models, alerts), (a) => cards.refresh(a));
  const cards = new CardSync({
    alerts,
    cards: new CardStore(database.conn),
    directory: runtime.directory,
    adapters,
    clock: runtime.clock,
    log,
    sleep: opts.sleep,
    timeZone,
    countSend: (platform, op, result) => runtime.metrics.chatSends.inc({ platform, op, result }),
    remediation: (alert) => remediation.forAlert(alert),
  });
  runtime.events.subscribe(cards.onEvent);
  const timerSleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  const maintenance = new MaintenanceService({
    rt: runtime,
    store: new MaintenanceStore(database.db),
    marks: new AlertMarks(database.models),
    notify: teamNotifier(runtime.directory, adapters, log),
    sleep: timerSleep,
  });
  runtime.maintenance = maintenance;
  const heartbeats = new HeartbeatMonitor(runtime, new HeartbeatStore(database.db), timerSleep);
  runtime.heartbeats = heartbeats;
  const overrides = new OnCallOverrideStore(database.db);
  const analytics = setUpAnalytics(runtime, adapters, overrides);
  let agenda: Agenda | undefined;
  // One outbox: escalation inserts rows, the sender (startNotify) drains them.
  const outbox = new OutboxStore(database.db, { casFilters: !database.ferretdb });
  const escalationStore = new EscalationStore(database.models, alerts);
  const escalationMetrics = new EscalationMetrics(runtime.metrics.registry);
  const escalation = new EscalationEngine({
    rt: runtime,
    store: escalationStore,
    outbox,
    overrides,
    timers: opts.escalationTimers,
    readAhead: database.ferretdb,
    onFired: (ms) => escalationMetrics.fired(ms),
    changed: (a) => cards.refresh(a),
    backstop: async (ref, at) => {
      if (agenda) await scheduleEscalationStep(agenda, ref, at);
    },
  });
  runtime.events.subscribe(escalation.onEvent);
  maintenance.useEscalation(escalation);
  // Round-robin (`teams[].assign`): after the alert opened, never in the ingest request's path.
  runtime.events.subscribe(
    new RoundRobin({
      directory: runtime.directory,
      overrides,
      turns: new AssignTurns(database.models, alerts),
      clock: runtime.clock,
      assigned: (a) => cards.refresh(a),
      log,
    }).onEvent,
  );
  const deliveries = new Deliveries(database.db);
  let listenUrl = 'http://127.0.0.1';
  const feeds = new OnCallFeeds({
    config: opts.config,
    overrides,
    store: new CalendarFeedStore(database.db, opts.config.notify.linkSecret),
    clock: runtime.clock,
    baseUrl: () => opts.config.notify.publicUrl ?? listenUrl,
  });
  const handoffs = new HandoffNotices({
    config: opts.config,
    overrides,
    notices: new OnCallNoticeStore(database.db),
    openAlerts: async (teams) => (await Promise.all(teams.map((team) => alerts.list({ states: ['triggered', 'acknowledged'], team, limit: 200 })))).flat(),
    postToTeams: teamNotifier(runtime.directory, adapters, log),
    enqueue: (msgs, now) => outbox.enqueue(msgs, now),
    kickOutbox: () => runtime.notify?.kick(),
    clock: runtime.clock,
    sleep: timerSleep,
    log,
  });
  const pager = makePager({ ...runtime, directory: runtime.directory, clock: runtime.clock });
  const onCall = new OnCallCommands({
    directory: runtime.directory,
    overrides,
    clock: runtime.clock,
    timeZone,
    feedUrl: (id) => feeds.url({ kind: 'schedule', id }),
    changed: () => handoffs.changed(),
  });
  const chat = new ChatService({
    rt: runtime,
    deliveries,
    timeZone,
    stats: analytics.stats,
    onCall,
    calendar: new CalendarCommand(feeds),
    overrides: new OverrideCommands({ directory: runtime.directory, covers: onCall, clock: runtime.clock, timeZone }),
    swap: new SwapCommand({
      directory: runtime.directory,
      overrides,
      swaps: new OnCallSwapStore(database.db),
      clock: runtime.clock,
      timeZone,
      changed: () => handoffs.changed(),
      questions: chatQuestions(adapters, log),
    }),
    page: new PageCommand(pager, (platform, id) => {
      const idp = identityPlatform(platform);
      return idp ? runtime.directory.memberByPlatformId(idp, id) : undefined;
    }),
    scheduleUnmute: async (alertId, until) => {
      if (agenda) await scheduleUnmute(agenda, alertId, until);
    },
    ops: new OpsCommands(runtime, timeZone),
    // Always answered, so that `run` from help says "no actions configured" rather than "unknown command".
    run: new RunCommand(remediation),
    snooze: (ref, who, ms) => escalation.snooze(ref, who, ms),
  });
  // A platform that is down must not stop dutybot: its cards wait and go out once it is back.
  for (const a of adapters.values()) {
    await a.start(chat.handle).catch((err: unknown) => log.error({ err, platform: a.platform }, 'chat adapter did not start'));
  }
  const webhooks = opts.config.webhooks.length > 0 ? new OutgoingWebhooks(runtime) : undefined;
  const notify = startNotify(runtime, adapters, outbox, process.env, webhooks);
  runtime.notify = { outbox: notify.outbox, kick: () => notify.sender.kick() };
  if (webhooks) runtime.events.subscribe(webhooks.onEvent);
  await maintenance.start();
  await heartbeats.start();
  handoffs.start();
  const readiness = [...adapters.values()].map((a): ReadinessCheck => async () => {
    const s = a.status();
    return { name: a.platform, ok: s.state === 'ready', detail: s.detail ?? s.state };
  }).concat(opts.databaseHealth ? [databaseHealth(opts.databaseHealth, runtime.metrics.registry)] : [])
    .concat(webhooks ? [webhooks.readiness()] : []);
  const activity = new IntegrationActivity(database.db);
  activity.start();
  const webConsole = createConsole(runtime, {
    activity,
    trustProxy: opts.trustProxy,
    remediation,
    readiness,
    onCall,
    analytics: analytics.service,
    directMessage: async (member, text) => {
      const r = directRoute(adapters, member);
      return r ? (await r.adapter.sendDirect!(r.userId, text)).kind === 'sent' : false;
    },
    ...(notify.email
      ? {
          email: async (member: Member, mail: { subject: string; text: string }) => {
            const r = await notify.email!.sendText(member, mail);
            // Only why it failed: the mail's text holds the link.
            if (r.kind !== 'sent') log.warn({ member: member.id, error: r.error }, 'console sign-in link: the mail did not go');
            return r.kind === 'sent';
          },
        }
      : {}),
    snooze: (ref, who, ms) => escalation.snooze(ref, who, ms),
    scheduleUnmute: async (alertId, until) => {
      if (agenda) await scheduleUnmute(agenda, alertId, until);
    },
  });
  const app = createHttpApp(runtime, {
    activity,
    console: webConsole,
    snooze: (ref, who, ms) => escalation.snooze(ref, who, ms),
    onCall: { directory: runtime.directory, clock: runtime.clock, feeds, overrides, pager },
    extraRouters: [analytics.router, ...[...adapters.values()].flatMap((a) => (a.router ? [a.router] : []))].concat(notify.router ? [notify.router] : []),
    readiness,
  });
  const server = await new Promise<Server>((ok, fail) => {
    const s = app.listen(opts.port, opts.host ?? '0.0.0.0', () => ok(s));
    s.once('error', fail);
  });
  server.keepAliveTimeout = 65_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  analytics.setFallbackUrl(`http://127.0.0.1:${port}`);
  listenUrl = `http://127.0.0.1:${port}`;
  if (opts.jobs !== false) {
    agenda = await startAgenda(database.db, log);
    await scheduleRetention(agenda, database.models, deliveries, runtime.clock, opts.config.retention.rawEventDays);
    defineUnmute(agenda, runtime);
    await scheduleNotifyRetention(agenda, notify, runtime.clock, opts.config.retention.rawEventDays, parseConfigDuration(opts.config.notify.linkTtl) ?? 86_400_000);
    await heartbeats.schedule(agenda);
    await maintenance.schedule(agenda);
    await scheduleWeeklyReports(agenda, { ...runtime, analytics: analytics.service, adapters, db: database.db });
    defineEscalationStep(agenda, escalation);
    await scheduleOnCallNotices(agenda, () => handoffs.tick());
    await scheduleEscalationAudit(agenda, () =>
      auditEscalations({ store: escalationStore, outbox, engine: escalation, clock: runtime.clock, metrics: escalationMetrics }),
    );
    await agenda.start();
  }
  await escalation.recover();
  await cards.resync(new Date(runtime.clock.now().getTime() - 86_400_000));
  if (opts.outboxIntervalMs !== false) notify.sender.start(opts.outboxIntervalMs ?? 5_000);
  return {
    runtime,
    cards,
    chat,
    notify,
    server,
    agenda,
    analytics,
    escalation,
    overrides,
    console: webConsole,
    feeds,
    handoffs,
    heartbeats,
    maintenance,
    activity,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      // No new connections; requests in flight finish. A keep-alive connection is closed as soon
      // as it is idle (not after keepAliveTimeout), so stopping takes as long as the slowest request.
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      // Open consoles' event streams are never idle: end them, or closing would wait for ever.
      webConsole.live.closeAll();
      await new Promise<void>((ok) => server.close(() => ok()));
      clearInterval(idle);
      heartbeats.stop();
      maintenance.stop();
      handoffs.stop();
      await escalation.stop();
      await cards.stop();
      await activity.stop();
      await notify.sender.stop();
      server.closeAllConnections();
      for (const a of adapters.values()) await a.stop().catch(() => {});
      await agenda?.stop();
      await analytics.recorder.settled();
      await database.close();
    },
  };
}
