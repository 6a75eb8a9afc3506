import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import type { Logger } from '../log.js';
import { AnswerWatch } from './answer-watch.js';

/**
 * Keeps the database server that dutybot started alive (docs/decisions/0010): when it exits
 * without being asked to, it is started again with the same command line (same data directory,
 * same port, so the driver's pool reconnects by itself) after a backoff of 0.5 s, 1 s, 2 s … capped
 * at 30 s. After `maxRestarts` restarts in a row without `stableMs` of uptime in between, it gives
 * up and says what to check; the caller (src/main.ts) then exits non-zero so that a process
 * manager restarts the whole. A database given by MONGODB_URI is not ours and is not supervised.
 *
 * A server that stays alive but answers nothing for `hungAfterMs` (a deadlock inside it, SIGSTOP)
 * is treated as dead: it is killed and restarted the same way (decision 0018). Its process being
 * there says nothing; only answers do (src/store/answer-watch.ts).
 */
export type RestartReason = 'exited' | 'hung';

export type DatabaseState = 'starting' | 'running' | 'restarting' | 'stopped' | 'gave-up';

export interface SupervisorOptions {
  /** First backoff; doubled on each restart in a row. */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** Restarts in a row (none lasting `stableMs`) before giving up. */
  maxRestarts?: number;
  /** A server up this long is healthy again: the backoff and the count start over. */
  stableMs?: number;
  /** How long a (re)started server has to answer a ping. */
  readyTimeoutMs?: number;
  /** Holds the server's pid, so the next start can end a server orphaned by `kill -9` of dutybot. */
  pidFile?: string;
  /** The database whose answers are watched (dutybot's own); without it, hangs are not watched. */
  watchDatabase?: string;
  /** No answer for this long while the process is alive: hung, killed and restarted. */
  hungAfterMs?: number;
  /** How often the database is asked. */
  probeEveryMs?: number;
  log?: Logger;
}

export const SUPERVISOR_DEFAULTS = {
  firstBackoffMs: 500,
  maxBackoffMs: 30_000,
  maxRestarts: 10,
  stableMs: 60_000,
  readyTimeoutMs: 30_000,
  hungAfterMs: 30_000,
  probeEveryMs: 2_000,
} as const;

/** What dutybot's /readyz and /metrics read (src/http/database-health.ts). */
export interface DatabaseHealth {
  readonly kind: string;
  readonly state: DatabaseState;
  /** Restarts attempted since dutybot started. */
  readonly restarts: number;
  /** The same, by why the server was restarted. */
  readonly restartsBy: Readonly<Record<RestartReason, number>>;
  readonly lastExit?: { code: number | null; signal: string | null; at: Date };
  /** Why it gave up (when it did): what to check. */
  readonly giveUpReason?: string;
}

export interface SupervisorEvents {
  state: [DatabaseState];
  /** No more restarts: the message says what to check. */
  'gave-up': [string];
}

export class DatabaseSupervisor extends EventEmitter<SupervisorEvents> implements DatabaseHealth {
  state: DatabaseState = 'starting';
  restarts = 0;
  readonly restartsBy: Record<RestartReason, number> = { exited: 0, hung: 0 };
  lastExit?: { code: number | null; signal: string | null; at: Date };
  giveUpReason?: string;
  /** Restarts since the server last stayed up for `stableMs`. */
  private inARow = 0;
  private readyAt = 0;
  private child: ChildProcess;
  private stderr = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly opts: Required<Omit<SupervisorOptions, 'pidFile' | 'log' | 'watchDatabase'>> & SupervisorOptions;
  private watch: AnswerWatch | undefined;
  /** Set when we kill a hung server ourselves: its exit is then a restart for that reason. */
  private killedAsHung = false;
  private lastReason: RestartReason = 'exited';
  private readonly killOnExit = (): void => void this.child.kill('SIGTERM');

  /** `first` is the freshly spawned server; restarts spawn the same file with the same arguments. */
  constructor(
    readonly kind: string,
    first: ChildProcess,
    readonly uri: string,
    opts: SupervisorOptions = {},
  ) {
    super();
    this.opts = { ...SUPERVISOR_DEFAULTS, ...opts };
    this.child = first;
  }

  /** Waits for the first start; throws (with the server's last words) when it does not come up. */
  async start(): Promise<void> {
    // The server must not outlive us, even when our process exits without cleanup (or while it
    // is still starting); the pid file covers SIGKILL, which runs no hook.
    process.once('exit', this.killOnExit);
    if (this.opts.pidFile && this.child.pid) writeFileSync(this.opts.pidFile, String(this.child.pid));
    try {
      await this.waitReady(this.child);
    } catch (err) {
      process.off('exit', this.killOnExit);
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
      throw err;
    }
    this.running();
  }

  /** Stops the server on purpose (no restart). */
  async stop(): Promise<void> {
    const wasUp = this.state !== 'stopped' && this.state !== 'gave-up';
    this.setState('stopped');
    clearTimeout(this.timer);
    this.unwatch();
    process.off('exit', this.killOnExit);
    if (this.opts.pidFile) rmSync(this.opts.pidFile, { force: true });
    const child = this.child;
    if (!wasUp || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((ok) => {
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }

  /** The server's process id now (the fault suite kills and freezes it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private running(): void {
    this.readyAt = Date.now();
    if (this.opts.pidFile && this.child.pid) writeFileSync(this.opts.pidFile, String(this.child.pid));
    this.child.once('exit', (code, signal) => this.exited(code, signal));
    this.setState('running');
    this.watchAnswers();
  }

  private watchAnswers(): void {
    if (!this.opts.watchDatabase) return;
    const child = this.child;
    this.watch = new AnswerWatch({
      uri: this.uri,
      database: this.opts.watchDatabase,
      everyMs: this.opts.probeEveryMs,
      silentAfterMs: this.opts.hungAfterMs,
      onSilent: (silentMs, asked) => {
        if (this.child !== child || this.state !== 'running') return;
        this.opts.log?.error(
          { database: this.kind, pid: child.pid, silentMs, asked, threshold: this.opts.hungAfterMs, stderr: this.stderr.slice(-500) },
          'database process is alive but has not answered: killing it to restart it (hung)',
        );
        this.killedAsHung = true;
        child.kill('SIGKILL');
      },
    });
    this.watch.start();
  }

  private unwatch(): void {
    this.watch?.stop();
    this.watch = undefined;
  }

  private exited(code: number | null, signal: string | null): void {
    if (this.state === 'stopped' || this.state === 'gave-up') return;
    this.unwatch();
    this.lastExit = { code, signal, at: new Date() };
    this.lastReason = this.killedAsHung ? 'hung' : 'exited';
    this.killedAsHung = false;
    if (Date.now() - this.readyAt >= this.opts.stableMs) this.inARow = 0;
    this.opts.log?.error({ database: this.kind, code, signal, reason: this.lastReason, stderr: this.stderr.slice(-500) }, 'database process exited; restarting it');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.inARow >= this.opts.maxRestarts) return this.giveUp();
    const delay = Math.min(this.opts.maxBackoffMs, this.opts.firstBackoffMs * 2 ** this.inARow);
    this.inARow += 1;
    this.setState('restarting');
    this.timer = setTimeout(() => void this.restart(), delay);
    this.timer.unref();
  }

  private async restart(): Promise<void> {
    if (this.state !== 'restarting') return;
    this.restarts += 1;
    this.restartsBy[this.lastReason] += 1;
    const prev = this.child;
    const child = spawn(prev.spawnfile, prev.spawnargs.slice(1), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DO_NOT_TRACK: '1' },
    });
    this.child = child;
    try {
      await this.waitReady(child);
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      this.lastExit = { code: child.exitCode, signal: child.signalCode, at: new Date() };
      this.opts.log?.error({ database: this.kind, attempt: this.inARow, err: (err as Error).message }, 'database restart failed');
      if (this.state === 'restarting') this.scheduleRestart();
      return;
    }
    if (this.state !== 'restarting') {
      // stop() came while it was starting: it must not outlive us.
      child.kill('SIGTERM');
      return;
    }
    this.opts.log?.warn({ database: this.kind, restarts: this.restarts, attempt: this.inARow }, 'database restarted');
    this.running();
  }

  private giveUp(): void {
    const exit = this.lastExit;
    const port = /:(\d+)\/?$/.exec(this.uri)?.[1];
    this.giveUpReason =
      `the embedded database (${this.kind}) exited ${this.inARow + 1} times in a row ` +
      `(last exit code ${exit?.code ?? 'none'}${exit?.signal ? `, signal ${exit.signal}` : ''}) and dutybot gave up restarting it. ` +
      `Check: free disk space under the data directory (DUTYBOT_DATA_DIR), that dutybot may write there (permissions), ` +
      `that nothing else listens on 127.0.0.1:${port ?? '?'}, and the server's last words: ${this.stderr.trim().slice(-600) || '(none)'}`;
    this.setState('gave-up');
    this.emit('gave-up', this.giveUpReason);
  }

  private setState(s: DatabaseState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  /** Pings until the server answers; throws when it exits first or `readyTimeoutMs` passes. */
  private async waitReady(child: ChildProcess): Promise<void> {
    this.stderr = '';
    child.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-4000);
    });
    let exited = child.exitCode !== null || child.signalCode !== null;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + this.opts.readyTimeoutMs;
    for (;;) {
      if (exited) throw new Error(`${this.kind} exited at start: ${this.stderr}`);
      const client = new MongoClient(this.uri, { serverSelectionTimeoutMS: 500, directConnection: true });
      try {
        await client.db('admin').command({ ping: 1 });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${this.kind} did not answer within ${this.opts.readyTimeoutMs / 1000} s: ${String(err)} ${this.stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await client.close().catch(() => {});
      }
    }
  }
}

/**
 * A server left running by a dutybot that was killed with SIGKILL (no exit hook ran) still holds
 * the data directory. Ends it, but only when its command line is still that kind of server on
 * this data directory (a pid can be reused by anything after a reboot).
 */
export function endOrphanDatabase(pidFile: string, log?: Logger): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return; // gone (or no /proc: not Linux, then we leave it alone)
  }
  const dataDir = pidFile.replace(/\/[^/]*$/, '');
  if (!/ferretdb|mongod/.test(cmdline) || !cmdline.includes(dataDir)) return;
  log?.warn({ pid }, 'ending a database server left by a previous dutybot that did not stop');
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
