/**
 * `npm run bench:escalation`: how late escalation steps fire when many alerts escalate at once.
 * N alerts opened at the same time; their first paging level (an SMS to the on-call person, to a
 * local fake of Aliyun's API) is due `after` later, all at the same instant. Three latenesses,
 * each from the step's due time (docs/decisions/0008):
 *   fired      its outbox rows are stored (durable, idempotent): the target, p99 ≤ 1 s
 *   recorded   its plan and timeline entry are stored too and the `escalated` event is out (cards)
 *   handed off the provider accepted the SMS (the outbox row's `sentAt`): outbox throughput
 * Agenda runs too (its backstop jobs are saved as in production). Prints the load average.
 *
 *   BENCH_ALERTS        alerts escalating at once (default 1000)
 *   BENCH_ESC_AFTER     seconds from opening to the step (default 10; must cover writing them all)
 *   BENCH_HANDOFF_WAIT  seconds to wait for the SMS to reach the provider (default 60; 0: skip)
 *   BENCH_AGENDA=0      without Agenda
 *   BENCH_LOG_LEVEL     dutybot's log level (default warn)
 */
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${quantile(s, 0.5)} ms, p90 ${quantile(s, 0.9)} ms, p99 ${quantile(s, 0.99)} ms, max ${s.at(-1)} ms`;
}

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_ALERTS ?? 1000);
  const afterS = Number(process.env.BENCH_ESC_AFTER ?? 10);
  const handoffWaitS = Number(process.env.BENCH_HANDOFF_WAIT ?? 60);
  const { log } = await import('../src/log.js');
  const { parseConfig } = await import('../src/config/load.js');
  const { startDutybot } = await import('../src/start.js');
  const { provisionDatabase, withDatabase } = await import('../src/store/provision.js');
  const { FakeAliyun } = await import('../test/fakes/aliyun-api.js');
  const aliyun = await new FakeAliyun().start();

  mkdirSync(join(projectRoot, '.test-db'), { recursive: true });
  const dataDir = mkdtempSync(join(projectRoot, '.test-db', 'bench-esc-'));
  const db = await provisionDatabase({ dataDir, log });
  const config = {
    ...parseConfig(
      JSON.stringify({
        locale: 'en',
        integrations: [{ name: 'bench-api', type: 'api', key: 'bench-api-key-0123456789abcdef', team: 'bench' }],
        members: [
          { id: 'ann', name: 'Ann', phone: '+8613800000001' },
          { id: 'bob', name: 'Bob', phone: '+8613800000002' },
        ],
        notify: {
          sms: { provider: 'aliyun', accessKeyId: aliyun.accessKeyId, accessKeySecret: aliyun.accessKeySecret, signName: 'bench', templateCode: 'SMS_000001', endpoint: aliyun.origin },
        },
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
    const fired: number[] = [];
    const recorded: number[] = [];
    let done!: () => void;
    const allRecorded = new Promise<void>((r) => (done = r));
    const openedAt = new Date();
    const dueAt = openedAt.getTime() + afterS * 1000;
    bot.escalation.onStepFired((ms) => fired.push(ms));
    bot.runtime.events.subscribe((ev) => {
      if (ev.type !== 'escalated' || ev.entry.actor.via !== 'escalation') return;
      recorded.push(Date.now() - dueAt);
      if (recorded.length === n) done();
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
    const progress = setInterval(() => process.stderr.write(`  … ${fired.length} fired, ${recorded.length} recorded\n`), 5000);
    const timeout = new Promise<void>((r) => setTimeout(r, afterS * 1000 + 120_000).unref());
    await Promise.race([allRecorded, timeout]);
    const loadAtFire = load();
    // Handed off: the SMS of each step reached the provider (`sentAt` on its finished row).
    const db2 = bot.runtime.database.db;
    const stepRow = { level: { $exists: true } };
    const handedOff = async () => db2.collection<{ sentAt?: Date }>('outboxlog').find({ ...stepRow, state: 'sent' }, { projection: { sentAt: 1 } }).toArray();
    const waitUntil = Date.now() + handoffWaitS * 1000;
    let sent = await handedOff();
    while (handoffWaitS > 0 && sent.length < fired.length && Date.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 1000));
      sent = await handedOff();
    }
    clearInterval(progress);
    // The step's rows, counted once each wherever they are now: a row moves from `outbox` to
    // `outboxlog` when it is finished (the sender runs meanwhile); fallback rows are not steps.
    const ids = new Set<string>();
    for (const name of ['outbox', 'outboxlog']) {
      for (const r of await db2.collection<{ _id: string }>(name).find(stepRow, { projection: { _id: 1 } }).toArray()) if (!r._id.includes('>')) ids.add(r._id);
    }
    console.log(`  steps fired: ${fired.length}/${n}; their outbox rows: ${ids.size}; load average (1/5/15 min) ${loadAtFire}`);
    console.log(`  fired (outbox rows stored):          ${summary(fired)} (target p99 ≤ 1000 ms)`);
    console.log(`  recorded (plan, timeline, event):    ${summary(recorded)}`);
    if (handoffWaitS > 0) {
      const ms = sent.map((r) => r.sentAt!.getTime() - dueAt);
      const all = sent.length === fired.length ? '' : ` (only ${sent.length}/${fired.length} within ${handoffWaitS} s)`;
      console.log(`  handed off (SMS accepted by provider): ${summary(ms)}${all}`);
    }
  } finally {
    await bot.stop();
    await aliyun.close();
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
