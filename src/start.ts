import type { Server } from 'node:http';
import type { Agenda } from 'agenda';
import { Directory } from './config/directory.js';
import type { LoadedConfig } from './config/load.js';
import { systemClock, type Clock } from './core/clock.js';
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
import { setUpAnalytics, type Analytics } from './analytics/wire.js';
import { scheduleWeeklyReports } from './jobs/weekly-report.js';

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
}

export interface Dutybot {
  runtime: Runtime;
  cards: CardSync;
  chat: ChatService;
  server: Server;
  agenda?: Agenda;
  analytics: Analytics;
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
  };
  const adapters = registerAdapters(opts.adapters ?? []);
  const timeZone = opts.config.timeZone;
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
  });
  runtime.events.subscribe(cards.onEvent);
  const analytics = setUpAnalytics(runtime, adapters);
  let agenda: Agenda | undefined;
  const deliveries = new Deliveries(database.db);
  const chat = new ChatService({
    rt: runtime,
    deliveries,
    timeZone,
    stats: analytics.stats,
    scheduleUnmute: async (alertId, until) => {
      if (agenda) await scheduleUnmute(agenda, alertId, until);
    },
  });
  // A platform that is down must not stop dutybot: its cards wait and go out once it is back.
  for (const a of adapters.values()) {
    await a.start(chat.handle).catch((err: unknown) => log.error({ err, platform: a.platform }, 'chat adapter did not start'));
  }
  const app = createHttpApp(runtime, {
    extraRouters: [analytics.router, ...[...adapters.values()].flatMap((a) => (a.router ? [a.router] : []))],
    readiness: [...adapters.values()].map((a) => async () => {
      const s = a.status();
      return { name: a.platform, ok: s.state === 'ready', detail: s.detail ?? s.state };
    }),
  });
  const server = await new Promise<Server>((ok, fail) => {
    const s = app.listen(opts.port, opts.host ?? '0.0.0.0', () => ok(s));
    s.once('error', fail);
  });
  server.keepAliveTimeout = 65_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  analytics.setFallbackUrl(`http://127.0.0.1:${port}`);
  if (opts.jobs !== false) {
    agenda = await startAgenda(database.db, log);
    await scheduleRetention(agenda, database.models, deliveries, runtime.clock, opts.config.retention.rawEventDays);
    defineUnmute(agenda, runtime);
    await scheduleWeeklyReports(agenda, { ...runtime, analytics: analytics.service, adapters, db: database.db });
    await agenda.start();
  }
  await cards.resync(new Date(runtime.clock.now().getTime() - 86_400_000));
  return {
    runtime,
    cards,
    chat,
    server,
    agenda,
    analytics,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      await cards.stop();
      server.closeAllConnections();
      for (const a of adapters.values()) await a.stop().catch(() => {});
      await agenda?.stop();
      await analytics.recorder.settled();
      await database.close();
    },
  };
}
