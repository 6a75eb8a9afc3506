import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of other processes from /proc/<pid>/stat (Linux only; elsewhere every reading is
 * undefined and the benchmark prints no CPU columns). Our own process uses process.cpuUsage().
 */

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    ticksPerSecond = r.status === 0 && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** User + system CPU seconds a process has used so far, or undefined when it cannot be read. */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / clockTicks();
  } catch {
    return undefined;
  }
}

/** Pids (other than ours) whose command line contains every one of `parts`. */
export function findPids(...parts: string[]): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^[0-9]+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (parts.every((p) => cmd.includes(p))) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export interface WatchedProcess {
  label: string;
  /** Omitted: this process. */
  pid?: number;
}

export interface CpuReading {
  label: string;
  /** Percent of one core over the interval; undefined when it could not be read. */
  percent: number | undefined;
}

/** Brackets an interval: start() then stop() gives each watched process's CPU use over it. */
export class CpuMeter {
  private start0?: { wall: bigint; cpu: Array<number | undefined> };

  constructor(private readonly watched: WatchedProcess[]) {}

  private read(): Array<number | undefined> {
    return this.watched.map((w) => (w.pid === undefined ? selfCpuSeconds() : procCpuSeconds(w.pid)));
  }

  start(): void {
    this.start0 = { wall: process.hrtime.bigint(), cpu: this.read() };
  }

  stop(): CpuReading[] {
    const s = this.start0;
    if (!s) throw new Error('CpuMeter.stop() before start()');
    const wall = Number(process.hrtime.bigint() - s.wall) / 1e9;
    const now = this.read();
    return this.watched.map((w, i) => {
      const a = s.cpu[i];
      const b = now[i];
      return { label: w.label, percent: a === undefined || b === undefined || wall <= 0 ? undefined : ((b - a) / wall) * 100 };
    });
  }
}
