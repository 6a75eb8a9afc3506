/** What the test reads of dutybot: its REST API and /metrics, as a user or a dashboard would. */

export interface RestAlert {
  id: string;
  shortId: number;
  dedupKey: string;
  state: 'triggered' | 'acknowledged' | 'resolved';
  title: string;
  labels: Array<{ name: string; value: string }>;
  acknowledgedBy?: unknown;
  sourceStartedAt?: string;
  sourceEndedAt?: string;
  resolvedAt?: string;
  firstSeenAt?: string;
}

export function label(a: RestAlert, name: string): string | undefined {
  return a.labels.find((l) => l.name === name)?.value;
}

/** Every alert in these states, all pages (`GET /api/v1/alerts`, 200 a page). */
export async function listAlerts(url: string, token: string, status: string): Promise<RestAlert[]> {
  const all: RestAlert[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ status, limit: '200', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${url}/api/v1/alerts?${q}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET /api/v1/alerts: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { alerts: RestAlert[]; nextCursor: string | null };
    all.push(...page.alerts);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** One sample of dutybot's /metrics, e.g. `metric(url, 'dutybot_heartbeat_up{name="x"}')`. */
export async function metric(url: string, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
