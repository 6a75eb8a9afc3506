/**
 * `npm run bench:heartbeats`: how late missed-heartbeat checks fire. 1,000 heartbeats at a
 * 1-minute interval (no grace) are pinged once each, spread over BENCH_HB_SPREAD seconds, then
 * stop: each must fire 60 s after its ping. Lateness = when its alert is opened (stored, event
 * emitted) minus its due time; p50/p99/max printed. Real clock, the database the project
 * provisions, dutybot in this process.
 *
 *   BENCH_HB_COUNT   heartbeats (default 1000)
 *   BENCH_HB_SPREAD  seconds over which the pings are spread (default 60, as 1,000 heartbeats of
 *                    one minute ping; 0 = all at once, a burst)
 */
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dutybot } from '../src/start.js';
import type { ProvisionedDatabase } from '../src/store/provision.js';
import { benchConfigInput } from './config.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.env.BENCH_HB_COUNT ?? 1000);
const spreadS = Number(process.env.BENCH_HB_SPREAD ?? 60);

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  const { log } = await import('../src/log.js');
  const { parseConfig } = await import('../src/config/load.js');
  const { startDutybot } = await import('../src/start.js');
  const { provisionDatabase, withDatabase } = await import('../src/store/provision.js');
  mkdirSync(join(projectRoot, '.test-db'), { recursive: true });
  const dataDir = mkdtempSync(join(projectRoot, '.test-db', 'bench-hb-'));
  let db: ProvisionedDatabase | undefined;
  let bot: Dutybot | undefined;
  try {
    db = await provisionDatabase({ dataDir, log });
    const input = { ...benchConfigInput(), heartbeats: Array.from({ length: count }, (_, i) => ({ name: `hb-${i}`, team: 'bench', interval: '1m', grace: '0s' })) };
    const config = { ...parseConfig(JSON.stringify(input), {}), generated: false };
    bot = await startDutybot({ config, mongoUri: withDatabase(db.uri, 'bench-hb'), port: 0, host: '127.0.0.1', jobs: false, log });
    const monitor = bot.heartbeats;
    const t0 = Date.now();
    const lateness: number[] = [];
    const checkLate: number[] = [];
    // Only the first miss after a heartbeat's ping counts: one not yet pinged when its first due
    // time (start + 1 min) came fires too (correctly), which says the pinging fell behind.
    const pinged = new Set<string>();
    const counted = new Set<string>();
    const announced = new Set<string>();
    let early = 0;
    monitor.onLateness = (ms, name) => {
      if (!pinged.has(name) || counted.has(name)) return void early++;
      counted.add(name);
      checkLate.push(ms);
    };
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    bot.runtime.events.subscribe((ev) => {
      if (ev.type !== 'opened' || ev.alert.integration !== 'heartbeats' || !ev.alert.sourceStartedAt) return;
      const name = ev.alert.dedupKey.slice('heartbeat:'.length);
      if (!counted.has(name) || announced.has(name)) return;
      announced.add(name);
      lateness.push(Date.now() - ev.alert.sourceStartedAt.getTime());
      if (lateness.length === count) done();
    });
    console.log(`dutybot heartbeat bench: ${count} heartbeats, interval 1 min, grace 0, pings spread over ${spreadS} s, database ${db.kind}`);
    const pingMs: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = t0 + (spreadS * 1000 * i) / count;
      const wait = at - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const s = performance.now();
      await monitor.ping(`hb-${i}`, 'bench');
      pinged.add(`hb-${i}`);
      pingMs.push(performance.now() - s);
    }
    process.stderr.write(`pinged ${count} in ${((Date.now() - t0) / 1000).toFixed(1)} s; waiting for them to be missed …\n`);
    const timeout = setTimeout(done, (spreadS + 60 + 120) * 1000);
    await all;
    clearTimeout(timeout);
    const s = [...lateness].sort((a, b) => a - b);
    const p = [...pingMs].sort((a, b) => a - b);
    console.log(`  missed heartbeats fired after their ping: ${s.length} of ${count}; fired before their ping was sent (pinging fell behind): ${early}`);
    const c = [...checkLate].sort((a, b) => a - b);
    console.log(`  check lateness (check began − due time): p50 ${pct(c, 50)} ms, p99 ${pct(c, 99)} ms, max ${c.at(-1)} ms`);
    console.log(`  alert lateness (alert stored and announced − due time): p50 ${pct(s, 50)} ms, p99 ${pct(s, 99)} ms, max ${s.at(-1)} ms`);
    console.log(`  ping (one stored update, in process): p50 ${pct(p, 50).toFixed(1)} ms, p99 ${pct(p, 99).toFixed(1)} ms`);
  } finally {
    await bot?.stop().catch((err: unknown) => console.error('stopping dutybot failed:', err));
    await db?.stop().catch((err: unknown) => console.error('stopping the database failed:', err));
    if (!process.env.BENCH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
