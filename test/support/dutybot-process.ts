import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { ConfigInput } from '../../src/config/schema.js';
import { freePort } from '../../src/store/provision.js';
import { eventually } from './wait.js';

/**
 * dutybot as users run it (`npm start` = src/main.ts), in a process of its own, so tests can send
 * it signals and kill it. `node --import tsx` rather than the tsx CLI: the CLI runs the program in
 * a child process, and a SIGKILL must reach dutybot itself.
 */
export interface DutybotProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** stdout + stderr so far (JSON log lines). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** After a failed test: SIGKILL dutybot and the database it started (SIGKILL runs no hook). */
  kill(): void;
}

export interface SpawnOptions {
  dataDir: string;
  /** Written as dutybot.yaml in dataDir; none = the generated demo set-up. */
  config?: ConfigInput;
  env?: Record<string, string>;
  port?: number;
}

export async function spawnDutybot(opts: SpawnOptions): Promise<DutybotProcess> {
  const port = opts.port ?? (await freePort());
  const configPath = join(opts.dataDir, 'dutybot.yaml');
  if (opts.config) writeFileSync(configPath, stringify(opts.config));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    DUTYBOT_DATA_DIR: opts.dataDir,
    DUTYBOT_CONFIG: configPath,
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: resolve('.'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
  child.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await eventually(async () => {
    if (gone) throw new Error(`dutybot exited at start:\n${out.slice(-3000)}`);
    return (await fetch(`${url}/healthz`)).ok;
  }, 120_000, 'dutybot listening').catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${out.slice(-3000)}`);
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    try {
      process.kill(Number(readFileSync(join(opts.dataDir, 'database.pid'), 'utf8')), 'SIGKILL');
    } catch {
      /* none left */
    }
  };
  return { url, port, child, output: () => out, exited, kill };
}

/** Whether a process of this pid still exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
