import type { Router } from 'express';
import { Counter } from 'prom-client';
import type { ChatAdapter, PlatformId } from '../bot/chat-adapter.js';
import { analyticsRoutes } from '../http/analytics-routes.js';
import type { Runtime } from '../runtime.js';
import { AnalyticsFactStore } from '../store/analytics-facts.js';
import type { OnCallOverrideStore } from '../store/oncall-overrides.js';
import { ChartLinks } from './chart-links.js';
import { rebuildFacts } from './rebuild.js';
import { AnalyticsRecorder } from './recorder.js';
import { AnalyticsService } from './service.js';
import { factSettings } from './settings.js';
import { statsCommand } from './stats-command.js';

export interface Analytics {
  facts: AnalyticsFactStore;
  recorder: AnalyticsRecorder;
  service: AnalyticsService;
  links: ChartLinks;
  router: Router;
  stats: ReturnType<typeof statsCommand>;
  rebuild(): Promise<number>;
  /** Where chart links point when `analytics.publicUrl` is not set (the server's own address). */
  setFallbackUrl(url: string): void;
}

/** Everything analytics adds to a running dutybot, built in one place (start.ts calls this). */
export function setUpAnalytics(rt: Runtime, adapters: ReadonlyMap<PlatformId, ChatAdapter>, overrides: Pick<OnCallOverrideStore, 'forSchedule'>): Analytics {
  const { config } = rt;
  const facts = new AnalyticsFactStore(rt.database.db);
  const written = new Counter({
    name: 'dutybot_analytics_facts_total',
    help: 'Analytics fact writes by result (written, failed, dropped); a missed fact is repaired by the next event or POST /api/v1/analytics/rebuild',
    labelNames: ['result'] as const,
    registers: [rt.metrics.registry],
  });
  const settingsOf = factSettings(config);
  const recorder = new AnalyticsRecorder(facts, settingsOf, rt.log, { onResult: (result) => written.inc({ result }) });
  rt.events.subscribe(recorder.onEvent);
  let fallbackUrl = 'http://127.0.0.1';
  // One public address and one link secret serve both personal action links (notify) and charts;
  // chart links get a key of their own derived from it, so neither kind of link passes for the other.
  const publicUrl = config.analytics.publicUrl ?? config.notify.publicUrl ?? process.env.DUTYBOT_PUBLIC_URL;
  const notifySecret = config.notify.linkSecret ? `${config.notify.linkSecret}:charts` : undefined;
  const linkSecret = config.analytics.linkSecret ?? notifySecret ?? process.env.DUTYBOT_LINK_SECRET;
  if (!linkSecret) rt.log.info('analytics.linkSecret not set: chart links are signed with a key of this process and stop working after a restart');
  const links = new ChartLinks(linkSecret, () => publicUrl ?? fallbackUrl);
  const service = new AnalyticsService({ config, directory: rt.directory, facts, alerts: rt.alerts, links, clock: rt.clock, overrides });
  const rebuild = () => rebuildFacts(rt.alerts, facts, settingsOf);
  return {
    facts,
    recorder,
    service,
    links,
    router: analyticsRoutes({ rt, analytics: service, links, rebuild }),
    stats: statsCommand({ analytics: service, directory: rt.directory, adapters, clock: rt.clock, log: rt.log }),
    rebuild,
    setFallbackUrl: (url) => {
      fallbackUrl = url;
    },
  };
}
