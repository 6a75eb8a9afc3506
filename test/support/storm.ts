/**
 * A storm of alerts as monitoring tools send them: `senders` concurrent senders, each posting its
 * share of `alerts` distinct alerts one after another, and retrying an alert until it is
 * acknowledged — after `Retry-After` on a 503 (shortened to `retryMs`), and after `retryMs` when the
 * connection fails (dutybot down or restarting), as Alertmanager does.
 */
export interface StormOptions {
  url: () => string;
  key: string;
  senders: number;
  alerts: number;
  prefix: string;
  retryMs?: number;
  /** Stop retrying a failed connection (graceful stop: a refused connection is an answer). */
  stopOnConnectionError?: boolean;
  /** Called after each 2xx (the test decides when to kill something). */
  onAck?: (acked: number) => void;
}

export interface StormResult {
  /** dedupKeys answered 2xx. */
  acked: Set<string>;
  /** Answers by HTTP status, and `conn` for connection errors. */
  answers: Record<string, number>;
  /** Alerts given up on (stopOnConnectionError). */
  abandoned: number;
}

export async function storm(o: StormOptions): Promise<StormResult> {
  const result: StormResult = { acked: new Set(), answers: {}, abandoned: 0 };
  const count = (k: string) => (result.answers[k] = (result.answers[k] ?? 0) + 1);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const sender = async (s: number) => {
    for (let i = s; i < o.alerts; i += o.senders) {
      const dedupKey = `${o.prefix}-${i}`;
      for (;;) {
        let status: number;
        try {
          const res = await fetch(`${o.url()}/api/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${o.key}` },
            body: JSON.stringify({ eventType: 'trigger', dedupKey, title: `Storm ${dedupKey}`, severity: 'warning', host: `host-${i % 50}` }),
            signal: AbortSignal.timeout(60_000),
          });
          status = res.status;
          await res.arrayBuffer();
        } catch {
          count('conn');
          if (o.stopOnConnectionError) {
            result.abandoned += 1;
            return;
          }
          await sleep(o.retryMs ?? 200);
          continue;
        }
        count(String(status));
        if (status >= 200 && status < 300) {
          result.acked.add(dedupKey);
          o.onAck?.(result.acked.size);
          break;
        }
        if (status !== 503) throw new Error(`${dedupKey}: unexpected ${status}`);
        await sleep(o.retryMs ?? 200);
      }
    }
  };
  await Promise.all(Array.from({ length: o.senders }, (_, s) => sender(s)));
  return result;
}
