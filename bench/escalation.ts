/**
 * `npm run bench:escalation`: how late escalation steps fire when many alerts escalate at once.
 * N alerts opened at the same time; their first paging level is due `after` later, all at
 * the same instant. Lateness = from the due time to the step being durable (outbox row, alert and
 * timeline written, event emitted). Agenda runs too (its backstop jobs are saved as in production).
 *
 *   BENCH_ALERTS     alerts escalating at once (default 1000)
 *   BENCH_ESC_AFTER  seconds from opening to the step (default 10; must cover writing them all)
 *   BENCH_AGENDA=0   without Agenda
 *   BENCH_LOG_LEVEL  dutybot's log level (default warn)
 */
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_ALERTS ?? 1000);
  const afterS = Number(process.env.BENCH_ESC_AFTER ?? 10);
  const { log } = await import('../src/log.js');
  const { parseConfig } = await import('../src/config/load.js');
  const { startDutybot } = await import('../src/start.js');
  const { provisionDatabase, withDatabase } = await import('../src/store/provision.js');

  mkdirSync(join(projectRoot, '.test-db'), { recursive: true });
  const dataDir = mkdtempSync(join(projectRoot, '.test-db', 'bench-esc-'));
  const db = await provisionDatabase({ dataDir, log });
  const config = {
    ...parseConfig(
      JSON.stringify({
        locale: 'en',
        integrations: [{ name: 'bench-api', type: 'api', key: 'bench-api-key-0123456789abcdef', team: 'bench' }],
        members: [
          { id: 'ann', name: 'Ann', phone: '+15550001' },
          { id: 'bob', name: 'Bob', phone: '+15550002' },
        ],
        teams: [{ id: 'bench', name: 'Bench', members: ['ann', 'bob'], escalationPolicy: 'page', schedule: 'primary' }],
        schedules: [{ id: 'primary', name: 'Primary', timeZone: 'UTC', layers: [{ members: ['ann', 'bob'], shift: 'daily', start: '2026-01-01' }] }],
        escalationPolicies: [{ id: 'page', levels: [{ after: `${afterS}s`, notify: [{ schedule: 'primary', via: ['sms', 'voice'] }] }] }],
      }),
      {},
    ),
    generated: false,
  };
  const bot = await startDutybot({ config, mongoUri: withDatabase(db.uri, 'benchesc'), port: 0, host: '127.0.0.1', log, jobs: process.env.BENCH_AGENDA !== '0' });
  try {
    const lateness: number[] = [];
    let done!: () => void;
    const allFired = new Promise<void>((r) => (done = r));
    const openedAt = new Date();
    const dueAt = openedAt.getTime() + afterS * 1000;
    bot.runtime.events.subscribe((ev) => {
      if (ev.type !== 'escalated' || ev.entry.actor.via !== 'escalation') return;
      lateness.push(Date.now() - dueAt);
      if (lateness.length === n) done();
    });
    console.log(`dutybot escalation benchmark: ${n} alerts, first step due ${afterS} s after they open (database: ${db.kind})`);
    // The alerts are written as the ingestion path and the engine leave them (opened, plan copied),
    // in one insert: opening them through HTTP would take minutes on FerretDB (see `npm run bench`)
    // and spread their due times. The engine then arms every step as it does after a restart.
    const { Types } = await import('mongoose');
    const { snapshotPolicy, startEscalation } = await import('../src/core/escalation.js');
    const policy = snapshotPolicy(config.escalationPolicies[0]!);
    const docs = Array.from({ length: n }, (_, i) => ({
      _id: new Types.ObjectId(),
      shortId: i + 1,
      integration: 'bench-api',
      source: 'api',
      application: 'bench',
      team: 'bench',
      dedupKey: `esc-${i}`,
      state: 'triggered',
      version: 1,
      title: `Bench alert ${i}`,
      severity: 'critical',
      labels: [],
      links: [],
      count: 1,
      rev: 1,
      firstSeenAt: openedAt,
      lastSeenAt: openedAt,
      escalationLevel: 0,
      escalation: startEscalation(policy, openedAt, `t${i}`),
    }));
    const t0 = Date.now();
    await bot.runtime.database.db.collection('alerts').insertMany(docs as never[]);
    await bot.escalation.recover();
    console.log(`  wrote ${n} alerts in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${bot.escalation.armedCount()} steps armed`);
    if (Date.now() > dueAt) console.log('  warning: the step was due before every alert was armed; raise BENCH_ESC_AFTER');
    const progress = setInterval(() => process.stderr.write(`  … ${lateness.length} fired\n`), 5000);
    const timeout = new Promise<void>((r) => setTimeout(r, afterS * 1000 + 120_000).unref());
    await Promise.race([allFired, timeout]);
    clearInterval(progress);
    const sorted = [...lateness].sort((a, b) => a - b);
    const rows = await bot.runtime.database.db.collection('outbox').countDocuments({});
    console.log(`  steps fired: ${lateness.length}/${n}; outbox rows: ${rows}`);
    console.log(
      `  lateness: p50 ${quantile(sorted, 0.5)} ms, p90 ${quantile(sorted, 0.9)} ms, p99 ${quantile(sorted, 0.99)} ms, max ${sorted.at(-1)} ms (target p99 ≤ 1000 ms)`,
    );
  } finally {
    await bot.stop();
    await db.stop();
    if (!process.env.BENCH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
