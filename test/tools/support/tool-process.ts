import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { eventually } from '../../support/wait.js';

/**
 * A real monitoring tool (prometheus, alertmanager, zabbix_server…) run privately by a test: its
 * own temp directory and free ports on 127.0.0.1, its output kept for the failure message, and
 * every one started is remembered so that `stopAllTools()` in afterAll ends it even when the test
 * failed halfway.
 */
export interface ToolProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Sends a signal to its whole process group. */
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const started = new Set<ToolProcess>();

export interface StartToolOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Polled until it answers 2xx (e.g. Prometheus' `/-/ready`). */
  readyUrl?: string;
  readyTimeoutMs?: number;
  /** Directories removed once it has exited (its temp data). */
  removeOnStop?: string[];
}

export async function startTool(opts: StartToolOptions): Promise<ToolProcess> {
  // A process group of its own: zabbix_server forks helpers (its "ha manager" outlived a SIGTERM to
  // the main process), and postgres its backends; signals go to the whole group.
  const child = spawn(opts.command, opts.args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* the group is gone */
    }
  };
  let out = '';
  const keep = (b: Buffer): void => void (out = (out + b.toString()).slice(-100_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let gone = false;
  const exited = new Promise<number | null>((ok) => {
    child.once('exit', (code) => {
      gone = true;
      ok(code);
    });
    child.once('error', (err) => {
      gone = true;
      out += `\n${String(err)}`;
      ok(null);
    });
  });
  const tool: ToolProcess = {
    name: opts.name,
    child,
    output: () => out,
    exited,
    signal,
    stop: async (graceMs = 10_000) => {
      if (!gone) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Whatever of the group is still there (a helper that ignored the main process's end).
      signal('SIGKILL');
      for (const dir of opts.removeOnStop ?? []) rmSync(dir, { recursive: true, force: true });
      started.delete(tool);
    },
  };
  started.add(tool);
  if (opts.readyUrl) {
    const url = opts.readyUrl;
    await eventually(
      async () => {
        if (gone) throw new Error(`${opts.name} exited at start`);
        return (await fetch(url)).ok;
      },
      opts.readyTimeoutMs ?? 60_000,
      `${opts.name} ready`,
    ).catch(async (err: Error) => {
      await tool.stop(1000);
      throw new Error(`${err.message}\n--- ${opts.name} output ---\n${out.slice(-4000)}`);
    });
  }
  return tool;
}

/** Stops every tool still running (afterAll). */
export async function stopAllTools(): Promise<void> {
  await Promise.all([...started].map((t) => t.stop(5000)));
}

/** The first line of `<command> --version`, for the suite's report of what it ran against. */
export function toolVersion(command: string, args: string[] = ['--version']): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return text.split('\n')[0] ?? `${command}: no version`;
}
