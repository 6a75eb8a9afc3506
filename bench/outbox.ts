/**
 * `npm run bench:outbox`: paging outbox throughput. One dutybot on the database the project
 * provisions; N messages are enqueued at once (as an escalation storm would) and drained by the
 * sender to local fakes: Aliyun SMS (signed RPC, checked by the fake) and the signed webhook
 * receiver. Prints messages/s end to end (claim, provider call, log row, timeline receipt).
 *
 *   BENCH_OUTBOX_MESSAGES  messages per run (default 500)
 *   BENCH_KEEP_DATA=1      keep the database files in .test-db/bench-*
 *
 * src/log.ts reads LOG_LEVEL when imported: it is set first, and src/ is imported dynamically.
 */
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_KEYS, benchConfigInput } from './config.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const n = Math.max(1, Math.round(Number(process.env.BENCH_OUTBOX_MESSAGES ?? 500)));
  const { log } = await import('../src/log.js');
  const { parseConfig } = await import('../src/config/load.js');
  const { startDutybot } = await import('../src/start.js');
  const { provisionDatabase, withDatabase } = await import('../src/store/provision.js');
  const { FakeAliyun } = await import('../test/fakes/aliyun-api.js');
  const { FakeWebhookReceiver } = await import('../test/fakes/webhook-receiver.js');

  mkdirSync(join(projectRoot, '.test-db'), { recursive: true });
  const dataDir = mkdtempSync(join(projectRoot, '.test-db', 'bench-'));
  const aliyun = await new FakeAliyun().start();
  const hook = await new FakeWebhookReceiver().start();
  const db = await provisionDatabase({ dataDir, log });
  const input = benchConfigInput();
  const config = {
    ...parseConfig(
      JSON.stringify({
        ...input,
        members: [{ ...input.members[0], phone: '+8613800000001' }],
        notify: {
          publicUrl: 'https://dutybot.example.com',
          linkSecret: 'bench-link-secret-0123456789',
          sms: { provider: 'aliyun', accessKeyId: aliyun.accessKeyId, accessKeySecret: aliyun.accessKeySecret, signName: 'bench', templateCode: 'SMS_000001', endpoint: aliyun.origin },
          webhook: { secret: hook.secret },
        },
      }),
      {},
    ),
    generated: false,
  };
  const bot = await startDutybot({ config, mongoUri: withDatabase(db.uri, 'bench_outbox'), port: 0, host: '127.0.0.1', jobs: false, log, outboxIntervalMs: false });
  try {
    const res = await fetch(`${bot.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEYS.api}` },
      body: JSON.stringify({ eventType: 'trigger', dedupKey: 'bench-outbox', title: 'outbox bench', severity: 'critical' }),
    });
    const { alertId } = (await res.json()) as { alertId: string };
    console.log(`dutybot outbox benchmark: ${n} messages per run, database ${db.kind}, node ${process.version}`);
    const rows: Array<Record<string, string | number>> = [];
    for (const method of ['webhook', 'sms'] as const) {
      const msgs = Array.from({ length: n }, (_, i) => ({
        _id: `bench:${method}:${i}`,
        alertId,
        method,
        memberId: method === 'sms' ? 'bencher' : undefined,
        url: method === 'webhook' ? `${hook.origin}/hook` : undefined,
        fallback: [],
        reason: 'bench',
      }));
      const t0 = performance.now();
      await bot.notify.outbox.enqueue(msgs, bot.runtime.clock.now());
      const tEnq = performance.now();
      while ((await bot.notify.outbox.countOpen()) > 0) {
        await bot.notify.sender.runOnce();
      }
      const t1 = performance.now();
      const sent = method === 'sms' ? aliyun.calls('SendSms').length : hook.received.length;
      rows.push({
        channel: method,
        provider: method === 'sms' ? 'aliyun (fake)' : 'webhook (fake)',
        messages: n,
        'provider got': sent,
        'enqueue ms': Math.round(tEnq - t0),
        'drain s': Number(((t1 - tEnq) / 1000).toFixed(2)),
        'msgs/s': Math.round(n / ((t1 - tEnq) / 1000)),
      });
    }
    console.table(rows);
    console.log('  drain = due-row query + claim (updateOne by _id) + outboxstarts insert + alert read + provider call + outboxlog insert + outbox delete + timeline insert;');
    console.log(`  ${db.kind === 'ferretdb' ? 4 : 8} rows at a time (FerretDB: 4, its single SQLite writer makes more slower). Every outbox query but _id scans on FerretDB: the queue's own size slows the drain.`);
  } finally {
    await bot.stop();
    await db.stop();
    await aliyun.close();
    await hook.close();
    if (!process.env.BENCH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
