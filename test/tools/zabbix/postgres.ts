import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/store/provision.js';
import { eventually } from '../../support/wait.js';
import { startTool, type ToolProcess } from '../support/tool-process.js';

/**
 * A private PostgreSQL cluster (Debian's `postgresql`) in a temp directory on a free port of
 * 127.0.0.1, trust authentication, never the system's cluster. PostgreSQL refuses to run as root,
 * so as root the cluster belongs to the `postgres` user and runs as it (setpriv execs the server
 * itself, so our SIGTERM reaches postgres and not a wrapper).
 */
export interface Postgres {
  port: number;
  dir: string;
  process: ToolProcess;
  /** Runs `sql` in psql; returns its unaligned output. */
  psql(database: string, sql: string): string;
  /** Loads a gzipped SQL file (Zabbix's schema) into psql. */
  load(database: string, gzFile: string): void;
  stop(): Promise<void>;
}

function pgBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  return join('/usr/lib/postgresql', versions.at(-1)!, 'bin', name);
}

const asRoot = process.getuid?.() === 0;
/** The command line to run `cmd` as the cluster's owner. */
function asOwner(cmd: string[]): [string, string[]] {
  return asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', ...cmd]] : [cmd[0]!, cmd.slice(1)];
}

function run(cmd: string[], input?: string): string {
  const [c, args] = asOwner(cmd);
  const r = spawnSync(c, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}): ${r.stderr}${r.error ? String(r.error) : ''}`);
  return r.stdout;
}

export async function startPostgres(): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'dutybot-e2e-postgres-'));
  if (asRoot) chownSync(dir, Number(run(['id', '-u', 'postgres']).trim()), Number(run(['id', '-g', 'postgres']).trim()));
  const data = join(dir, 'data');
  run([pgBin('initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const [cmd, args] = asOwner([
    pgBin('postgres'), '-D', data, '-p', String(port), '-k', dir,
    '-c', 'listen_addresses=127.0.0.1',
    // A throw-away database: durability only slows the schema import down.
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  ]);
  const process = await startTool({ name: 'postgres', command: cmd, args, removeOnStop: [dir] });
  const psqlArgs = (database: string) => [pgBin('psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database];
  await eventually(() => spawnSync(pgBin('pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0, 60_000, 'postgres ready').catch((err: Error) => {
    throw new Error(`${err.message}\n${process.output()}`);
  });
  return {
    port,
    dir,
    process,
    psql: (database, sql) => run([...psqlArgs(database), '-At', '-c', sql]),
    load: (database, gzFile) => {
      const [c, a] = asOwner(['sh', '-c', `gzip -dc '${gzFile}' | ${psqlArgs(database).join(' ')}`]);
      const r = spawnSync(c, a, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`loading ${gzFile} failed: ${r.stderr}`);
    },
    stop: async () => {
      // SIGTERM is "smart shutdown", which waits for clients; SIGINT ("fast") does not.
      process.signal('SIGINT');
      await process.stop();
    },
  };
}
