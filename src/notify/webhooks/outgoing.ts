import type { WebhookConfig, WebhookEvent } from '../../config/schema.js';
import { parseConfigDuration } from '../../core/duration.js';
import { compileMatchContext, compileMatchers, matchAlert, type CompiledMatchers, type MatchSubject } from '../../core/matchers.js';
import type { Alert } from '../../core/alert.js';
import type { AlertEvent } from '../../events.js';
import type { ReadinessCheck } from '../../http/health-routes.js';
import type { Runtime } from '../../runtime.js';
import type { NewOutboxMessage, OutboxMessage } from '../message.js';
import type { HookDirectory } from '../providers/webhook.js';
import type { SignedPostAnswer } from '../signed-post.js';
import { actBack } from './act-back.js';
import { webhookBody } from './body.js';
import { WebhookHealth } from './health.js';

interface CompiledHook {
  cfg: WebhookConfig;
  matchers: CompiledMatchers;
  events: ReadonlySet<WebhookEvent>;
  timeoutMs: number;
}

/** The delivery's id: the same event of the same alert always makes the same row (the outbox keeps it once). */
export const webhookRowId = (name: string, alert: Pick<Alert, 'id' | 'rev'>, event: WebhookEvent, at: Date): string =>
  `wh:${name}:${alert.id}:${event}:${alert.rev}:${at.getTime()}`;

export const subjectOfAlert = (a: Alert): MatchSubject => ({
  integration: a.integration,
  application: a.application,
  source: a.source,
  severity: a.severity,
  title: a.title,
  description: a.description,
  host: a.host,
  service: a.service,
  labels: a.labels,
});

/**
 * Outgoing webhooks (`webhooks:` in the config, docs/decisions/0014): subscribes to alert events
 * and, for each webhook whose events and matchers fit, inserts one outbox row and kicks the
 * sender; the outbox gives retries with backoff, bounded attempts, receipts on the timeline and
 * metrics. As the channel's {@link HookDirectory} it also hears every answer: health, act-back.
 */
export class OutgoingWebhooks implements HookDirectory {
  private readonly hooks = new Map<string, CompiledHook>();
  readonly health: WebhookHealth;

  constructor(private readonly rt: Runtime) {
    const ctx = compileMatchContext(rt.config);
    for (const cfg of rt.config.webhooks) {
      this.hooks.set(cfg.name, {
        cfg,
        matchers: compileMatchers(cfg.match, ctx),
        events: new Set(cfg.events),
        timeoutMs: parseConfigDuration(cfg.timeout) ?? 10_000,
      });
    }
    this.health = new WebhookHealth(new Map(rt.config.webhooks.map((w) => [w.name, w.unhealthyAfter])), rt.log, rt.metrics.registry);
  }

  get size(): number {
    return this.hooks.size;
  }

  /** The AlertEvents subscriber. */
  readonly onEvent = async (ev: AlertEvent): Promise<void> => {
    // Held or released by a maintenance window: not an event webhooks subscribe to.
    if (ev.type === 'deduplicated' || ev.type === 'maintenance' || this.hooks.size === 0) return;
    const notify = this.rt.notify;
    if (!notify) return;
    const { alert, entry } = ev;
    // Planned work: an alert opened inside a maintenance window calls no one out, machines included.
    if (alert.maintenance && alert.maintenance.until > entry.at) return;
    const subject = subjectOfAlert(alert);
    const rows: NewOutboxMessage[] = [];
    for (const h of this.hooks.values()) {
      if (!h.events.has(ev.type)) continue;
      // Matched as of the alert's arrival, so every event of one alert goes to the same webhooks.
      if (!matchAlert(h.matchers, subject, alert.firstSeenAt).matched) continue;
      const _id = webhookRowId(h.cfg.name, alert, ev.type, entry.at);
      rows.push({
        _id,
        alertId: alert.id,
        method: 'webhook',
        url: h.cfg.url,
        fallback: [],
        reason: `${ev.type} event`,
        hook: { name: h.cfg.name, body: webhookBody(_id, h.cfg.name, ev.type, alert, entry) },
      });
    }
    if (rows.length === 0) return;
    await notify.outbox.enqueue(rows, this.rt.clock.now());
    notify.kick();
  };

  get(name: string): { secret: string; timeoutMs: number } | undefined {
    const h = this.hooks.get(name);
    return h ? { secret: h.cfg.secret, timeoutMs: h.timeoutMs } : undefined;
  }

  async answered(row: OutboxMessage, answer: SignedPostAnswer): Promise<void> {
    const name = row.hook!.name;
    const ok = answer.result.kind === 'sent';
    this.health.record(name, ok, ok ? undefined : (answer.result as { error: string }).error);
    if (!ok) return;
    try {
      const r = await actBack(this.rt, name, row.alertId, answer.body ?? '', answer.truncated ?? false);
      if (r.applied) this.rt.log.info({ webhook: name, alertId: row.alertId, action: r.what }, 'webhook act-back applied');
      else if (r.ignored) this.rt.log.warn({ webhook: name, alertId: row.alertId, reason: r.ignored }, 'webhook act-back ignored');
    } catch (err) {
      // The delivery itself succeeded; a failed act-back must not make it retry.
      this.rt.log.error({ err, webhook: name, alertId: row.alertId }, 'webhook act-back failed');
    }
  }

  /** /readyz: always ok (a receiver that is down must not take dutybot out of service), with each webhook's health. */
  readiness(): ReadinessCheck {
    return async () => ({ name: 'webhooks', ok: true, detail: this.health.describe() });
  }
}
