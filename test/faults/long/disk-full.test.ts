import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { provisionDatabase, withDatabase, type ProvisionedDatabase } from '../../../src/store/provision.js';
import { KEYS, TOKENS, startTestBot } from '../../support/bot.js';
import { eventually } from '../../support/wait.js';

/**
 * Fault: the disk under the data directory is full. The data directory is a small tmpfs (16 MiB),
 * filled to the last byte by another file. Mounting needs CAP_SYS_ADMIN (root in a container that
 * allows it); where the machine refuses, the case is skipped and says so — a user-namespace mount
 * (`unshare -Urm`) would hide the filesystem from the test process, and `ulimit -f` gives EFBIG,
 * not a full disk.
 */
const ownServer = inject('databaseKind') !== 'env';
const root = mkdtempSync(join(resolve('.test-db'), 'fault-disk-'));
const mnt = join(root, 'mnt');
mkdirSync(mnt);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt], { encoding: 'utf8' });
const canMount = mounted.status === 0;
if (!canMount) process.stdout.write(`[fault: disk full] skipped: cannot mount a small tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()})\n`);

let server: ProvisionedDatabase | undefined;
afterAll(async () => {
  await server?.stop();
  if (canMount) spawnSync('umount', ['-l', mnt]);
  rmSync(root, { recursive: true, force: true });
});

/** Writes until the filesystem refuses (ENOSPC); returns the bytes written. */
function fill(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk.subarray(0, written % 2 ? 4096 : chunk.length));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // The last partial blocks: fill them byte-size by byte-size.
  const fd2 = openSync(`${path}.tail`, 'w');
  try {
    for (;;) written += writeSync(fd2, Buffer.alloc(512, 1));
  } catch {
    /* full */
  } finally {
    closeSync(fd2);
  }
  return written;
}

describe.skipIf(!ownServer || !canMount)('fault: the disk is full', () => {
  it('ingest answers 503 while the disk is full; what was stored stays readable, and ingest resumes when space returns', async () => {
    server = await provisionDatabase({ dataDir: mnt, env: { PATH: process.env.PATH } as NodeJS.ProcessEnv });
    const bot = await startTestBot({ mongoUri: withDatabase(server.uri, 'full') });
    const send = (dedupKey: string) => bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title: `Disk ${dedupKey}`, severity: 'critical' }, KEYS.api);
    const stored: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await send(`before-${i}`);
      expect(res.status).toBe(202);
      stored.push(((await res.json()) as { alertId: string }).alertId);
    }

    const filler = join(mnt, 'filler');
    const bytes = fill(filler);
    const during: Record<number, number> = {};
    let retryAfter: string | null = null;
    for (let i = 0; i < 30; i++) {
      const res = await send(`full-${i}`);
      during[res.status] = (during[res.status] ?? 0) + 1;
      if (res.status === 503) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    const readable = await Promise.all(stored.map(async (id) => (await bot.get(`/api/v1/alerts/${id}`, TOKENS.zhang)).status));
    const readyz = await bot.get('/readyz');

    rmSync(filler);
    rmSync(`${filler}.tail`);
    const after = await eventually(async () => ((await send('after-space')).status === 202 ? true : undefined), 90_000, '202 after space returns');
    const readableAfter = await Promise.all(stored.map(async (id) => (await bot.get(`/api/v1/alerts/${id}`, TOKENS.zhang)).status));
    process.stdout.write(
      `[fault: disk full] filled ${Math.round(bytes / 1024)} KiB; 30 alerts while full: ${JSON.stringify(during)}; /readyz ${readyz.status}; ` +
        `stored alerts readable while full ${readable.filter((s) => s === 200).length}/${stored.length}, after ${readableAfter.filter((s) => s === 200).length}/${stored.length}; ` +
        `database restarts ${server.supervisor?.restarts}\n`,
    );
    expect(during[500] ?? 0).toBe(0);
    expect(during[503] ?? 0).toBeGreaterThan(0);
    expect(retryAfter).toBe('10');
    expect(readable.every((s) => s === 200)).toBe(true);
    expect(after).toBe(true);
    expect(readableAfter.every((s) => s === 200)).toBe(true);
    await bot.stop();
  }, 300_000);
});
