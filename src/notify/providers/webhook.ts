import type { Clock } from '../../core/clock.js';
import type { Channel, Delivery } from '../channel.js';
import { permanent, type ChannelResult } from '../result.js';
import { signedPost, signedPostAnswer, type SignedPostAnswer } from '../signed-post.js';
import type { OutboxMessage } from '../message.js';

/**
 * The configured outgoing webhooks (`webhooks:`), as the channel needs them: each one's secret
 * and timeout, and who hears each answer (health and act-back, src/notify/webhooks/).
 */
export interface HookDirectory {
  get(name: string): { secret: string; timeoutMs: number } | undefined;
  answered(row: OutboxMessage, answer: SignedPostAnswer): Promise<void>;
}

/**
 * An outbox row with method `webhook`. A page (escalation's `webhook` method) POSTs the alert and
 * why it pages to the row's `url`, signed with `notify.webhook.secret`; a row of an outgoing
 * webhook (`row.hook`) POSTs its stored body, signed with that webhook's own secret.
 */
export class WebhookChannel implements Channel {
  readonly method = 'webhook' as const;
  readonly provider = 'webhook';
  constructor(
    private readonly secret: string | undefined,
    private readonly clock: Clock,
    private readonly timeoutMs = 10_000,
    private readonly hooks?: HookDirectory,
  ) {}

  async send(d: Delivery): Promise<ChannelResult> {
    if (!d.row.url || !/^https?:\/\//.test(d.row.url)) return permanent('webhook row without an http(s) url');
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    if (d.row.hook) {
      const hook = this.hooks?.get(d.row.hook.name);
      if (!hook) return permanent(`webhook "${d.row.hook.name}" is no longer in the config`);
      const answer = await signedPostAnswer(d.row.url, d.row.hook.body, { secret: hook.secret, idempotencyKey: d.row._id, timestamp, timeoutMs: hook.timeoutMs });
      await this.hooks!.answered(d.row, answer);
      return answer.result;
    }
    if (!this.secret) return permanent('no notify.webhook.secret is configured for paging webhooks');
    const a = d.alert;
    const payload = {
      type: 'alert.page',
      id: d.row._id,
      reason: d.row.reason,
      level: d.row.level,
      cycle: d.row.cycle,
      alert: {
        id: a.id,
        shortId: a.shortId,
        title: a.title,
        severity: a.severity,
        state: a.state,
        team: a.team,
        integration: a.integration,
        host: a.host,
        service: a.service,
        labels: a.labels,
        firstSeenAt: a.firstSeenAt,
        lastSeenAt: a.lastSeenAt,
      },
    };
    return signedPost(d.row.url, payload, { secret: this.secret, idempotencyKey: d.row._id, timestamp, timeoutMs: this.timeoutMs });
  }
}
