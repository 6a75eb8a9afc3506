import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { INGEST_DEADLINE_MS } from '../../../src/http/deadline.js';
import { provisionDatabase, withDatabase, type ProvisionedDatabase } from '../../../src/store/provision.js';
import { SUPERVISOR_DEFAULTS } from '../../../src/store/supervisor.js';
import { KEYS, startTestBot } from '../../support/bot.js';
import { ledger } from '../ledger.js';

/**
 * Fault: the database frozen (SIGSTOP): it accepts connections and never answers. Ingest answers
 * 503 within its deadline instead of hanging. Frozen for less than the supervisor's hang threshold
 * (SUPERVISOR_DEFAULTS.hungAfterMs, 30 s), it is left alone and recovers by itself after SIGCONT;
 * frozen for longer, it is taken for hung, killed and restarted on the same data (decision 0018).
 * Either way every acknowledged alert is kept.
 */
const ownServer = inject('databaseKind') !== 'env';
const dataDir = mkdtempSync(join(resolve('.test-db'), 'fault-frozen-'));
let server: ProvisionedDatabase | undefined;
afterAll(async () => {
  if (server?.supervisor?.pid) process.kill(server.supervisor.pid, 'SIGCONT');
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Shorter than the hang threshold, with room for the probe's period: the server is not restarted. */
const FREEZE_MS = SUPERVISOR_DEFAULTS.hungAfterMs - 10_000;

describe.skipIf(!ownServer)('fault: the database is frozen', () => {
  it(`frozen ${FREEZE_MS / 1000} s (under the hang threshold): every request is answered (503 + Retry-After) within the deadline; 202 again soon after SIGCONT`, async () => {
    server = await provisionDatabase({ dataDir, env: { PATH: process.env.PATH } as NodeJS.ProcessEnv, supervise: { watchDatabase: 'frozen' } });
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
    expect(server.supervisor!.restarts).toBe(0);
    await bot.stop();
  });

  it(`stopped longer than the hang threshold (${SUPERVISOR_DEFAULTS.hungAfterMs / 1000} s): killed and restarted on the same data; every acknowledged alert kept`, async () => {
    const hungDir = mkdtempSync(join(resolve('.test-db'), 'fault-hung-'));
    const hung = await provisionDatabase({ dataDir: hungDir, env: { PATH: process.env.PATH } as NodeJS.ProcessEnv, supervise: { watchDatabase: 'hung' } });
    try {
      const sup = hung.supervisor!;
      const bot = await startTestBot({ mongoUri: withDatabase(hung.uri, 'hung'), databaseHealth: sup });
      const acked: string[] = [];
      const send = async (dedupKey: string) => {
        const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title: dedupKey, severity: 'critical' }, KEYS.api);
        await res.arrayBuffer();
        if (res.status === 202) acked.push(dedupKey);
        return res.status;
      };
      for (let n = 0; n < 20; n++) expect(await send(`before-${n}`)).toBe(202);
      const pid = sup.pid!;
      process.kill(pid, 'SIGSTOP');
      const stoppedAt = Date.now();
      let i = 0;
      // Two senders keep sending until the server has been restarted and answers again.
      let restartedMs = -1;
      let firstAckMs = -1;
      await Promise.all(
        Array.from({ length: 2 }, async () => {
          while (firstAckMs < 0 && Date.now() - stoppedAt < SUPERVISOR_DEFAULTS.hungAfterMs + 90_000) {
            if (restartedMs < 0 && sup.restartsBy.hung > 0) restartedMs = Date.now() - stoppedAt;
            if ((await send(`during-${i++}`)) === 202 && sup.restartsBy.hung > 0 && firstAckMs < 0) firstAckMs = Date.now() - stoppedAt;
            else await new Promise((r) => setTimeout(r, 200));
          }
        }),
      );
      const l = await ledger(bot.runtime.database.db, acked);
      process.stdout.write(
        `[fault: database hung] SIGSTOP; killed and restarted ${restartedMs} ms after (threshold ${SUPERVISOR_DEFAULTS.hungAfterMs} ms, probe every ${SUPERVISOR_DEFAULTS.probeEveryMs} ms); ` +
          `first 202 ${firstAckMs} ms after SIGSTOP; acked ${l.acked}, lost ${l.lost.length}, doubled ${l.doubled.length}\n`,
      );
      expect(sup.restartsBy.hung).toBe(1);
      expect(sup.pid).not.toBe(pid);
      expect(restartedMs).toBeGreaterThanOrEqual(SUPERVISOR_DEFAULTS.hungAfterMs);
      expect(firstAckMs).toBeGreaterThan(0);
      expect(l.lost).toEqual([]);
      expect(l.doubled).toEqual([]);
      await bot.stop();
    } finally {
      await hung.stop();
      rmSync(hungDir, { recursive: true, force: true });
    }
  });
});
