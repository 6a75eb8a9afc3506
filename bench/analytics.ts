/**
 * `npx tsx bench/analytics.ts`: what analytics costs, on the database the project provisions.
 *
 *   - chart: Vega-Lite → SVG → PNG of 7 and 30 days (ms per chart, after one warm-up);
 *   - facts: N alerts' facts written through the recorder (2 writers, coalesced), per second;
 *   - report: one team's 30-day figures (find by openedAt + maths) at that collection size;
 *   - pages: each alert escalates once later (a page on its fact: an update with `$addToSet`), per
 *     second; then one team's 30-day member rows (facts with the 7-day look-back, pages, and hours
 *     on call from a daily rotation).
 *
 *   BENCH_FACTS  facts to write (default 2000)
 */
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_FACTS ?? 2000);
  const { renderPng } = await import('../src/analytics/chart.js');
  const { provisionDatabase, withDatabase } = await import('../src/store/provision.js');
  const { openDatabase } = await import('../src/store/database.js');
  const { AnalyticsFactStore } = await import('../src/store/analytics-facts.js');
  const { AnalyticsRecorder } = await import('../src/analytics/recorder.js');
  const { byGroup, figures } = await import('../src/core/analytics.js');
  const { log } = await import('../src/log.js');

  const points = (days: number) => Array.from({ length: days }, (_, i) => ({ day: `2026-11-${String((i % 28) + 1).padStart(2, '0')}`, opened: (i * 7) % 11, mttaSeconds: i % 3 ? 300 + i * 20 : null }));
  await renderPng({ title: 'warm-up', points: points(7) });
  for (const days of [7, 30]) {
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await renderPng({ title: `ops · ${days} days`, points: points(days) });
    console.log(`chart ${days} days: ${((performance.now() - t0) / 5).toFixed(0)} ms per PNG`);
  }

  const root = resolve('.test-db');
  mkdirSync(root, { recursive: true });
  const dataDir = mkdtempSync(join(root, 'bench-analytics-'));
  const db = await provisionDatabase({ dataDir, log });
  try {
    const database = await openDatabase(withDatabase(db.uri, 'bench'), log);
    const facts = new AnalyticsFactStore(database.db);
    const hours = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as Array<'mon'>, from: '09:00', to: '18:00' };
    const recorder = new AnalyticsRecorder(facts, () => ({ timeZone: 'Asia/Shanghai', workingHours: hours }), log);
    const start = Date.parse('2026-11-01T00:00:00Z');
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const at = new Date(start + i * 600_000);
      const alert = {
        id: i.toString(16).padStart(24, '0'), shortId: i + 1, integration: `int-${i % 5}`, source: 'api' as const, application: `app-${i % 3}`,
        team: i % 2 ? 'ops' : 'biz', dedupKey: `k${i % 50}`, state: 'triggered' as const, version: 1, title: `alert ${i % 50}`, severity: 'warning' as const,
        labels: [], links: [], count: 1, firstSeenAt: at, lastSeenAt: at, escalationLevel: 0, rev: 1,
      };
      recorder.onEvent({ type: 'opened', alert, entry: { alertId: alert.id, at, kind: 'opened', actor: { kind: 'source', name: 'b', via: 'api' } } });
      // Three repeats each: coalesced with the open while it waits.
      for (let r = 2; r <= 4; r++) recorder.onEvent({ type: 'deduplicated', alert: { ...alert, count: r }, entry: { alertId: alert.id, at, kind: 'received', actor: { kind: 'source', name: 'b', via: 'api' } } });
    }
    const queued = performance.now() - t0;
    await recorder.settled();
    const secs = (performance.now() - t0) / 1000;
    console.log(`facts: ${n} alerts (${n * 4} events) queued in ${queued.toFixed(0)} ms, written in ${secs.toFixed(1)} s = ${(n / secs).toFixed(0)} facts/s`);
    const period = { from: new Date(start), to: new Date(start + 30 * 86_400_000) };
    const t1 = performance.now();
    const got = await facts.opened({ ...period, team: 'ops' });
    const f = figures(got, period);
    byGroup(got, period, 'application');
    const noisy = await facts.noisiest({ ...period, team: 'ops' }, 5);
    console.log(`report: 30 days of ops (${f.opened} alerts of ${n} facts) in ${(performance.now() - t1).toFixed(0)} ms; noisiest ${noisy[0]?.title} (${noisy[0]?.events} events)`);

    // Each alert escalates later: one page on its fact, written as an update after the insert.
    const { byMember } = await import('../src/core/analytics.js');
    const { scheduleHours } = await import('../src/core/fair-load.js');
    const { scheduleSchema } = await import('../src/config/schema.js');
    const t2 = performance.now();
    for (let i = 0; i < n; i++) {
      const at = new Date(start + i * 600_000 + 300_000);
      const alert = {
        id: i.toString(16).padStart(24, '0'), shortId: i + 1, integration: `int-${i % 5}`, source: 'api' as const, application: `app-${i % 3}`,
        team: i % 2 ? 'ops' : 'biz', dedupKey: `k${i % 50}`, state: 'triggered' as const, version: 5, title: `alert ${i % 50}`, severity: 'warning' as const,
        labels: [], links: [], count: 4, firstSeenAt: new Date(start + i * 600_000), lastSeenAt: at, escalationLevel: 1, rev: 1,
      };
      const entry = { alertId: alert.id, at, kind: 'escalated' as const, actor: { kind: 'system' as const, name: 'dutybot', via: 'escalation' } };
      recorder.onEvent({ type: 'escalated', alert, previous: alert, entry, paged: { step: `t${i}:1:1`, members: [`m${i % 4}`] } });
    }
    await recorder.settled();
    const pageSecs = (performance.now() - t2) / 1000;
    console.log(`pages: ${n} escalations (one page each) written in ${pageSecs.toFixed(1)} s = ${(n / pageSecs).toFixed(0)} facts/s`);
    const rotation = scheduleSchema.parse({ id: 'p', name: 'P', timeZone: 'Asia/Shanghai', layers: [{ members: ['m0', 'm1', 'm2', 'm3'], shift: 'daily', start: '2026-10-01', handoff: '09:00' }] });
    const t3 = performance.now();
    const withLookback = await facts.opened({ from: new Date(period.from.getTime() - 7 * 86_400_000), to: period.to, team: 'ops' });
    const rows = byMember(withLookback, period, scheduleHours([rotation], period, () => ({})));
    console.log(`members: 30 days of ops (${rows.reduce((a, r) => a + r.pages, 0)} pages, ${rows.reduce((a, r) => a + r.hoursOnCall, 0)} hours on call) in ${(performance.now() - t3).toFixed(0)} ms`);
    await database.close();
  } finally {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
