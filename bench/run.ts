/**
 * `npm run bench`: ingestion throughput of one dutybot against the database the project
 * provisions (src/store/provision.ts), then where a request's time goes.
 *
 *   BENCH_SECONDS      measured seconds per scenario (default 10)
 *   BENCH_CONNECTIONS  concurrent connections (default 32)
 *   BENCH_WARMUP       warm-up seconds before each scenario (default 2)
 *   BENCH_OPS          sequential operations per database operation in the breakdown (default 500)
 *   BENCH_KEEP_DATA=1  keep the database files in .test-db/bench-*
 *   BENCH_LOG_LEVEL    dutybot's log level during the bench (default warn)
 *   BENCH_CHAT_RATE    alerts per second in the chat latency run (default 20)
 *   BENCH_CHAT_SECONDS seconds of the chat latency run (default BENCH_SECONDS)
 *   --history          cost vs stored history instead (bench/history.ts; BENCH_HISTORY_SIZES, BENCH_HISTORY_SAMPLES)
 *   --batches          only the Alertmanager batch scenarios (bench/batches.ts)
 *
 * src/log.ts reads LOG_LEVEL when it is imported, so it is set here and everything from src/
 * is imported dynamically in main(). (Static imports are hoisted above this line: keep them to
 * node: builtins, types and bench/config.ts.)
 */
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dutybot } from '../src/start.js';
import type { ProvisionedDatabase } from '../src/store/provision.js';
import { BENCH_KEYS, benchConfigInput } from './config.js';
import type { ScenarioResult } from './scenario.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const seconds = envNumber('BENCH_SECONDS', 10);
  const connections = Math.round(envNumber('BENCH_CONNECTIONS', 32));
  const warmupSeconds = envNumber('BENCH_WARMUP', 2);
  const opsN = Math.round(envNumber('BENCH_OPS', 500));

  const { log } = await import('../src/log.js');
  if (process.argv.includes('--history')) return historyMode(log);
  const batchesOnly = process.argv.includes('--batches');
  const { parseConfig } = await import('../src/config/load.js');
  const { startDutybot } = await import('../src/start.js');
  const { provisionDatabase, withDatabase } = await import('../src/store/provision.js');
  const { ingestScenarios, runScenario } = await import('./scenario.js');
  const { findPids } = await import('./cpu.js');
  const { cpuRows, printTable, resultNotes, resultRows, round } = await import('./table.js');
  const { IngestInFlight } = await import('./inflight.js');
  const { measureBreakdown, opRows } = await import('./breakdown.js');

  mkdirSync(join(projectRoot, '.test-db'), { recursive: true });
  const dataDir = mkdtempSync(join(projectRoot, '.test-db', 'bench-'));
  let db: ProvisionedDatabase | undefined;
  let bot: Dutybot | undefined;
  try {
    db = await provisionDatabase({ dataDir, log });
    const config = { ...parseConfig(JSON.stringify(benchConfigInput()), {}), generated: false };
    bot = await startDutybot({ config, mongoUri: withDatabase(db.uri, 'bench'), port: 0, host: '127.0.0.1', jobs: false, log });

    const cpuList = cpus();
    console.log('dutybot ingestion benchmark');
    console.log(`  database: ${db.kind}${db.kind === 'env' ? ' (MONGODB_URI)' : ''}`);
    console.log(`  node ${process.version}, ${cpuList.length} CPU(s)${cpuList[0] ? ` (${cpuList[0].model.trim()})` : ''}, ${process.platform}/${process.arch}`);
    console.log(`  ${connections} connections, ${warmupSeconds} s warm-up + ${seconds} s measured per scenario; load generated in a child process`);
    console.log('');

    const dbPid = db.kind === 'env' ? undefined : findPids(dataDir)[0];
    const watch = [{ label: 'dutybot node' }, ...(dbPid !== undefined ? [{ label: db.kind, pid: dbPid }] : [])];

    const inFlight = new IngestInFlight(bot.server, bot.runtime.metrics);
    const settle = async (): Promise<number> => {
      const d = await inFlight.drain();
      if (d.left > 0) console.warn(`warning: ${d.left} ingestion requests still in flight after ${Math.round(d.ms / 1000)} s; going on`);
      return d.ms;
    };

    if (batchesOnly) {
      const { runBatchBench } = await import('./batches.js');
      printTable(await runBatchBench({ url: bot.url, key: BENCH_KEYS.alertmanager }), 'Alertmanager batches: one webhook of a whole group, posted alone, timed to its 202 (every alert stored and applied)');
      return;
    }
    const results: ScenarioResult[] = [];
    const alertsBefore: number[] = [];
    for (const scenario of ingestScenarios(BENCH_KEYS)) {
      process.stderr.write(`running: ${scenario.name} …\n`);
      alertsBefore.push(await bot.runtime.database.db.collection('alerts').countDocuments({}));
      const served = (): Promise<number> => inFlight.accepted();
      results.push(await runScenario(bot.url, scenario, { connections, seconds, warmupSeconds, watch, settle, served }));
    }
    process.stderr.write('running: Alertmanager batches of 100 and 1,000 …\n');
    const { runBatchBench } = await import('./batches.js');
    const batchRows = await runBatchBench({ url: bot.url, key: BENCH_KEYS.alertmanager });
    process.stderr.write(`running: raw insertOne, ${connections} clients …\n`);
    const { measureRawInserts } = await import('./raw-insert.js');
    const raw = await measureRawInserts(bot.runtime.database.db, connections, seconds);
    printTable(resultRows(results), 'Throughput');
    console.log(
      `  the database alone (insertOne of ~300 bytes, ${connections} clients, same run): ${round(raw.perSecond, 0)} inserts/s, p50 ${round(raw.p50)} ms, p99 ${round(raw.p99)} ms`,
    );
    for (const line of resultNotes(results)) console.log(line);
    console.log(`  alerts in the database before each scenario (before its warm-up): ${alertsBefore.join(', ')}`);
    console.log('');
    printTable(batchRows, 'Alertmanager batches: one webhook of a whole group, posted alone, timed to its 202 (every alert stored and applied)');
    console.log('');
    printTable(cpuRows(results), `CPU while measuring (% of one core; ${cpuList.length} cores = ${cpuList.length * 100}%)`);
    console.log('');

    process.stderr.write(`running: database breakdown (${opsN} sequential operations each) …\n`);
    const b = await measureBreakdown(bot.runtime, bot.url, BENCH_KEYS.api, opsN);
    console.log(
      `Where the time goes: each operation alone, one after another, on the same database (up to ${opsN} each, at most ~10 s per row; documents at the start: ${Object.entries(b.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
    printTable(opRows(b.ops));
    console.log('');
    const http = (name: string): number => b.http.find((h) => h.op === name)?.avgMs ?? NaN;
    const e2e: Record<string, number> = { 'event, new alert': http('HTTP POST event, new alert'), 'event, repeat': http('HTTP POST event, repeat') };
    printTable(
      b.paths.map((p) => {
        const total = e2e[p.path] ?? NaN;
        return {
          request: p.path,
          'db round trips in series': p.ops.length,
          'db ms (sum of stages)': round(p.ms, 2),
          'HTTP ms (1 conn)': round(total, 2),
          'not db ms': round(total - p.ms, 2),
          'db share %': round((p.ms / total) * 100, 0),
        };
      }),
      'One request, one at a time: database round trips (in series; writes of one stage go together) vs the whole HTTP request',
    );
    console.log(`  HTTP GET /healthz (no database): ${round(http('HTTP GET /healthz (no database)'), 2)} ms`);
    console.log('');
    printTable(opRows(b.scaling), 'Lookup cost vs collection size (scratch collection with a unique index)');
    console.log('');
    const hit = b.ops.find((o) => o.op.startsWith('alerts findOneAndUpdate by _id (repeat)'))?.avgMs;
    if (hit) {
      console.log(
        `  Repeats of one dedup key run one at a time (per-key lock): with 8 keys at most ~${Math.round((8 * 1000) / hit)} repeats/s at the unloaded findOneAndUpdate latency.`,
      );
    }
    console.log('');

    // Chat: a dutybot of its own with the real Slack adapter (Bolt) against the fake Slack Web API.
    const chatRate = envNumber('BENCH_CHAT_RATE', 20);
    const chatSeconds = envNumber('BENCH_CHAT_SECONDS', seconds);
    process.stderr.write(`running: chat latency at ${chatRate} alerts/s for ${chatSeconds} s …\n`);
    const { runChatBench } = await import('./chat.js');
    printTable(
      await runChatBench({ serverUri: db.uri, ratePerSecond: chatRate, seconds: chatSeconds }),
      `Chat latency (Slack through Bolt against test/fakes/slack-api.ts; channels fed below Slack's 1 msg/s, so no rate-limit waiting)`,
    );
  } finally {
    await bot?.stop().catch((err: unknown) => console.error('stopping dutybot failed:', err));
    await db?.stop().catch((err: unknown) => console.error('stopping the database failed:', err));
    if (!process.env.BENCH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `npm run bench -- --history`: bench/history.ts on a database of its own. */
async function historyMode(log: import('../src/log.js').Logger): Promise<void> {
  const { provisionDatabase } = await import('../src/store/provision.js');
  const { runHistoryBench } = await import('./history.js');
  const sizes = (process.env.BENCH_HISTORY_SIZES ?? '0,10000,100000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 0)) throw new Error('BENCH_HISTORY_SIZES: comma-separated whole numbers');
  mkdirSync(join(projectRoot, '.test-db'), { recursive: true });
  const dataDir = mkdtempSync(join(projectRoot, '.test-db', 'bench-history-'));
  const db = await provisionDatabase({ dataDir, log });
  try {
    console.log(`dutybot history benchmark (database: ${db.kind}; node ${process.version}, ${cpus().length} CPU(s))`);
    await runHistoryBench({ serverUri: db.uri, sizes, samples: Math.round(envNumber('BENCH_HISTORY_SAMPLES', 50)) });
  } finally {
    await db.stop().catch((err: unknown) => console.error('stopping the database failed:', err));
    if (!process.env.BENCH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench failed:', err);
    process.exit(1);
  },
);
