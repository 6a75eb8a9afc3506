import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { INGEST_DEADLINE_MS } from '../../../src/http/deadline.js';
import { provisionDatabase, withDatabase, type ProvisionedDatabase } from '../../../src/store/provision.js';
import { KEYS, startTestBot } from '../../support/bot.js';
import { ledger } from '../ledger.js';

/**
 * Fault: the database frozen for 30 s (SIGSTOP, then SIGCONT): it accepts connections and never
 * answers. Ingest answers 503 within its deadline instead of hanging, and recovers by itself
 * once the database is back.
 */
const ownServer = inject('databaseKind') !== 'env';
const dataDir = mkdtempSync(join(resolve('.test-db'), 'fault-frozen-'));
let server: ProvisionedDatabase | undefined;
afterAll(async () => {
  if (server?.supervisor?.pid) process.kill(server.supervisor.pid, 'SIGCONT');
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const FREEZE_MS = 30_000;

describe.skipIf(!ownServer)('fault: the database is frozen', () => {
  it('frozen 30 s: every request is answered (503 + Retry-After) within the deadline; 202 again soon after SIGCONT', async () => {
    server = await provisionDatabase({ dataDir, env: { PATH: process.env.PATH } as NodeJS.ProcessEnv });
    const pid = server.supervisor!.pid!;
    const bot = await startTestBot({ mongoUri: withDatabase(server.uri, 'frozen') });
    const send = async (dedupKey: string) => {
      const t0 = Date.now();
      const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title: dedupKey, severity: 'critical' }, KEYS.api);
      await res.arrayBuffer();
      return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - t0 };
    };
    expect((await send('before')).status).toBe(202);

    process.kill(pid, 'SIGSTOP');
    const frozenAt = Date.now();
    const during: Array<Awaited<ReturnType<typeof send>>> = [];
    const acked: string[] = ['before'];
    let i = 0;
    // Four senders keep sending while it is frozen.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() - frozenAt < FREEZE_MS - INGEST_DEADLINE_MS) {
          const key = `frozen-${i++}`;
          const r = await send(key);
          during.push(r);
          if (r.status === 202) acked.push(key);
        }
      }),
    );
    const waitLeft = FREEZE_MS - (Date.now() - frozenAt);
    if (waitLeft > 0) await new Promise((r) => setTimeout(r, waitLeft));
    process.kill(pid, 'SIGCONT');
    const thawedAt = Date.now();
    let recoveredMs = -1;
    for (let n = 0; recoveredMs < 0; n++) {
      const key = `after-${n}`;
      const r = await send(key);
      if (r.status === 202) {
        acked.push(key);
        recoveredMs = Date.now() - thawedAt;
      } else await new Promise((ok) => setTimeout(ok, 200));
      if (Date.now() - thawedAt > 60_000) break;
    }
    const slowest = Math.max(...during.map((d) => d.ms));
    const statuses = during.reduce<Record<number, number>>((m, d) => ((m[d.status] = (m[d.status] ?? 0) + 1), m), {});
    const l = await ledger(bot.runtime.database.db, acked);
    process.stdout.write(
      `[fault: database frozen ${FREEZE_MS / 1000} s] ${during.length} requests while frozen: ${JSON.stringify(statuses)}, slowest answer ${slowest} ms ` +
        `(deadline ${INGEST_DEADLINE_MS} ms); first 202 ${recoveredMs} ms after SIGCONT; acked ${l.acked}, lost ${l.lost.length}, doubled ${l.doubled.length}\n`,
    );
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((d) => d.status === 503 && d.retryAfter === '10')).toBe(true);
    // Bounded by the deadline (plus scheduling slack on a loaded machine), not by the freeze.
    expect(slowest).toBeLessThan(INGEST_DEADLINE_MS + 5_000);
    expect(recoveredMs).toBeGreaterThanOrEqual(0);
    expect(recoveredMs).toBeLessThan(15_000);
    expect(l.lost).toEqual([]);
    expect(l.doubled).toEqual([]);
    await bot.stop();
  });
});
