import type { Clock } from '../../core/clock.js';
import type { Channel, Delivery } from '../channel.js';
import { permanent, type ChannelResult } from '../result.js';
import { signedPost } from '../signed-post.js';

/** An outbox row with method `webhook`: the alert and why it pages, POSTed signed to the row's `url`. */
export class WebhookChannel implements Channel {
  readonly method = 'webhook' as const;
  readonly provider = 'webhook';
  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(d: Delivery): Promise<ChannelResult> {
    if (!d.row.url || !/^https?:\/\//.test(d.row.url)) return permanent('webhook row without an http(s) url');
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
    return signedPost(d.row.url, payload, {
      secret: this.secret,
      idempotencyKey: d.row._id,
      timestamp: Math.floor(this.clock.now().getTime() / 1000),
      timeoutMs: this.timeoutMs,
    });
  }
}
