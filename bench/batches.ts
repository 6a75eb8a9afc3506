import { alertmanagerBatch } from '../test/support/alertmanager-batch.js';
import { round, type Row } from './table.js';

/**
 * Alertmanager batches (issue 18): one webhook carrying a whole group, as a real outage sends it
 * (node_exporter down on 100 or 1,000 hosts), then the same alerts resolved. Each batch is posted
 * alone and timed from the request to its 202, which comes once every alert of it is stored and
 * applied. Then four groups of 100 posted at once. Each round uses a new group, so every firing
 * batch opens new alerts and every resolved batch closes them.
 */
export interface BatchBenchOptions {
  url: string;
  key: string;
  /** Rounds per size (default 5 for 100, 2 for 1,000). */
  rounds?: (size: number) => number;
}

export async function runBatchBench(o: BatchBenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  let group = 0;
  const post = async (body: unknown): Promise<number> => {
    const t = performance.now();
    const r = await fetch(`${o.url}/api/v1/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.key}` },
      body: JSON.stringify(body),
    });
    await r.arrayBuffer();
    if (r.status !== 202) throw new Error(`batch answered ${r.status}, not 202`);
    return performance.now() - t;
  };
  const row = (name: string, alerts: number, firing: number[], resolved: number[]): Row => ({
    scenario: name,
    'alerts per round': alerts,
    rounds: firing.length,
    'firing ms (median)': round(median(firing), 0),
    'firing alerts/s': round((alerts / median(firing)) * 1000, 0),
    'resolved ms (median)': round(median(resolved), 0),
    'resolved alerts/s': round((alerts / median(resolved)) * 1000, 0),
    'slowest 202 ms': round(Math.max(...firing, ...resolved), 0),
  });

  for (const size of [100, 1000]) {
    const rounds = o.rounds?.(size) ?? (size >= 1000 ? 2 : 5);
    const firing: number[] = [];
    const resolved: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const name = `BenchBatch${size}r${r}g${group++}`;
      firing.push(await post(alertmanagerBatch(size, 'firing', { group: name })));
      resolved.push(await post(alertmanagerBatch(size, 'resolved', { group: name })));
    }
    rows.push(row(`Alertmanager batches of ${size.toLocaleString('en')}`, size, firing, resolved));
  }

  const firing: number[] = [];
  const resolved: number[] = [];
  for (let r = 0; r < 3; r++) {
    const names = [0, 1, 2, 3].map((i) => `BenchFour${r}x${i}g${group++}`);
    const all = async (status: 'firing' | 'resolved') => {
      const t = performance.now();
      await Promise.all(names.map((name) => post(alertmanagerBatch(100, status, { group: name }))));
      return performance.now() - t;
    };
    firing.push(await all('firing'));
    resolved.push(await all('resolved'));
  }
  rows.push(row('4 groups of 100 at once', 400, firing, resolved));
  return rows;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
