import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureFerretdb, freePort } from '../../src/store/provision.js';

/**
 * FerretDB as dutybot built it before decision 0006 (no patch), on `<dataDir>/ferretdb` — the same
 * files `provisionDatabase({ dataDir })` opens — for tests of upgrading an existing data directory.
 * Built into .bin/ferretdb once when missing.
 */
export async function startStockFerretdb(dataDir: string): Promise<{ uri: string; stop(): Promise<void> }> {
  const binary = ensureFerretdb(undefined, 'stock');
  const dir = join(dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    binary,
    ['--handler=sqlite', `--sqlite-url=file:${dir}/`, `--state-dir=${dir}`, `--listen-addr=127.0.0.1:${port}`, '--debug-addr=-', '--telemetry=disable', '--log-level=error'],
    { stdio: 'ignore' },
  );
  const uri = `mongodb://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, directConnection: true });
    try {
      await client.db('admin').command({ ping: 1 });
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`stock FerretDB did not start: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.close().catch(() => {});
    }
  }
  return {
    uri,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}
