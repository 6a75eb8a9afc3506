/**
 * `npm run bench:cost`: what one ingested event costs, in figures that do not depend on how busy
 * the machine is: dutybot's CPU ms per event, the database's CPU ms per event, and database round
 * trips (commands, by name) per event, for each ingestion scenario of bench/run.ts.
 *
 *   BENCH_SECONDS      measured seconds per scenario (default 5)
 *   BENCH_CONNECTIONS  concurrent connections (default 32)
 *   BENCH_PROFILE=dir  also write a V8 CPU profile of dutybot per scenario into dir
 *   BENCH_ONLY=regex   only the scenarios whose name matches
 */
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Session } from 'node:inspector/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_KEYS, benchConfigInput } from './config.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Counts the commands the driver sends, by name (wraps the driver's one send path). */
function countCommands(): Map<string, number> {
  const counts = new Map<string, number>();
  const require = createRequire(import.meta.url);
  const { Connection } = require('mongodb/lib/cmap/connection.js') as { Connection: { prototype: Record<string, unknown> } };
  const original = Connection.prototype.command as (this: unknown, ns: unknown, cmd: Record<string, unknown>, ...rest: unknown[]) => unknown;
  Connection.prototype.command = function (this: unknown, ns: unknown, cmd: Record<string, unknown>, ...rest: unknown[]) {
    const name = Object.keys(cmd)[0] ?? '?';
    if (name !== 'hello' && name !== 'ismaster') counts.set(name, (counts.get(name) ?? 0) + 1);
    return original.call(this, ns, cmd, ...rest);
  };
  return counts;
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const profileDir = process.env.BENCH_PROFILE;
  const commands = countCommands();
  const { log } = await import('../src/log.js');
  const { parseConfig } = await import('../src/config/load.js');
  const { startDutybot } = await import('../src/start.js');
  const { provisionDatabase, withDatabase } = await import('../src/store/provision.js');
  const { ingestScenarios, runScenario } = await import('./scenario.js');
  const { findPids } = await import('./cpu.js');
  const { printTable, round } = await import('./table.js');
  const { IngestInFlight } = await import('./inflight.js');
  const { loadavg } = await import('node:os');

  mkdirSync(join(projectRoot, '.test-db'), { recursive: true });
  const dataDir = mkdtempSync(join(projectRoot, '.test-db', 'bench-cost-'));
  const db = await provisionDatabase({ dataDir, log });
  const config = { ...parseConfig(JSON.stringify(benchConfigInput()), {}), generated: false };
  const bot = await startDutybot({ config, mongoUri: withDatabase(db.uri, 'bench'), port: 0, host: '127.0.0.1', jobs: false, log });
  const session = new Session();
  session.connect();
  try {
    const dbPid = db.kind === 'env' ? undefined : findPids(dataDir)[0];
    const watch = [{ label: 'node' }, ...(dbPid !== undefined ? [{ label: 'db', pid: dbPid }] : [])];
    const inFlight = new IngestInFlight(bot.server, bot.runtime.metrics);
    const rows = [];
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined;
    for (const scenario of ingestScenarios(BENCH_KEYS).filter((s) => !only || only.test(s.name))) {
      process.stderr.write(`running: ${scenario.name} …\n`);
      let before = new Map<string, number>();
      let events0 = 0;
      const served = async (): Promise<number> => {
        const n = await inFlight.accepted();
        if (before.size === 0 && events0 === 0) {
          before = new Map(commands);
          events0 = n;
          if (profileDir) {
            await session.post('Profiler.enable');
            await session.post('Profiler.start');
          }
        }
        return n;
      };
      const r = await runScenario(bot.url, scenario, { connections, seconds, warmupSeconds: 1, watch, settle: async () => (await inFlight.drain()).ms, served });
      if (profileDir) {
        const { profile } = await session.post('Profiler.stop');
        mkdirSync(profileDir, { recursive: true });
        writeFileSync(join(profileDir, `${scenario.name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`), JSON.stringify(profile));
      }
      const events = r.servedEvents ?? 0;
      const secs = r.servedSeconds ?? seconds;
      const perEvent = (pct: number | undefined): number => (pct === undefined || events === 0 ? NaN : round(((pct / 100) * secs * 1000) / events, 2));
      const byName: string[] = [];
      let total = 0;
      for (const [name, n] of commands) {
        const d = n - (before.get(name) ?? 0);
        if (d > 0) byName.push(`${name} ${round(d / events, 2)}`);
        total += d;
      }
      rows.push({
        scenario: scenario.name,
        'events/s': round(events / secs, 0),
        'p50 ms': r.summary.latencyP50,
        'p99 ms': r.summary.latencyP99,
        'node CPU ms/event': perEvent(r.cpu[0]?.percent),
        'db CPU ms/event': perEvent(r.cpu[1]?.percent),
        'db commands/event': round(total / Math.max(1, events), 2),
        'by command': byName.join(', '),
        load: loadavg()[0]!.toFixed(1),
      });
    }
    printTable(rows, `Cost per event (${connections} connections, ${seconds} s per scenario)`);
  } finally {
    session.disconnect();
    await bot.stop().catch(() => {});
    await db.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench failed:', err);
    process.exit(1);
  },
);
