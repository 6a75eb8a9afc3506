import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BodyArgs, BodyKind } from './bodies.js';
import { CpuMeter, type CpuReading, type WatchedProcess } from './cpu.js';
import type { LoadJob, LoadMessage, LoadSummary } from './load.js';

/** One load pattern against a running dutybot. */
export interface Scenario {
  name: string;
  method?: LoadJob['method'];
  path: string;
  headers?: Record<string, string>;
  /** Built per request in the load generator (bench/bodies.ts); runId is added per run. */
  body?: { kind: BodyKind; args?: Omit<BodyArgs, 'runId'> };
  /** Events carried by one request, for events/s (default 1). */
  eventsPerRequest?: number;
}

export interface RunOptions {
  connections: number;
  seconds: number;
  /** Load of the same kind before measuring; not reported. */
  warmupSeconds: number;
  /** Processes whose CPU use is measured over the measured interval (see CpuMeter). */
  watch?: WatchedProcess[];
  /**
   * Called after the warm-up (before measuring) and after the measured run: waits until the
   * server has finished the requests the load generator left behind; returns how long that took (ms).
   */
  settle?: () => Promise<number>;
  /**
   * A count of events the server has finished (e.g. dutybot_events_accepted_total). Read when
   * measuring starts and again after the final settle, it gives the rate the server really
   * sustained, including requests still in flight when the load stopped.
   */
  served?: () => Promise<number>;
}

export interface ScenarioResult {
  scenario: Scenario;
  connections: number;
  summary: LoadSummary;
  eventsPerSecond: number;
  /** The watched processes, then the load generator. */
  cpu: CpuReading[];
  /** How long the server went on working after the warm-up and after the measured run (ms; settle). */
  settledAfterWarmupMs?: number;
  settledAfterRunMs?: number;
  /** served() over the measured run plus the settle after it. */
  servedEvents?: number;
  servedSeconds?: number;
}

const loadScript = fileURLToPath(new URL('./load.ts', import.meta.url));

/** The child runs TypeScript through tsx, as `npm run bench` does. */
function tsxImport(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/**
 * Runs one scenario: a child process (bench/load.ts) warms up, then drives autocannon for
 * `seconds`, while this process measures CPU use of the watched processes.
 */
export async function runScenario(baseUrl: string, scenario: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  const job: LoadJob = {
    url: baseUrl,
    method: scenario.method ?? 'POST',
    path: scenario.path,
    headers: { 'content-type': 'application/json', ...scenario.headers },
    body: scenario.body ? { kind: scenario.body.kind, args: { ...scenario.body.args, runId: randomBytes(4).toString('hex') } } : undefined,
    connections: opts.connections,
    seconds: opts.seconds,
    warmupSeconds: opts.warmupSeconds,
  };
  const child = spawn(process.execPath, ['--import', tsxImport(), loadScript, JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.on('error', () => {}); // a child that died is reported below
  const meter = new CpuMeter(opts.watch ?? []);
  let summary: LoadSummary | undefined;
  let cpu: CpuReading[] = [];
  let settledAfterWarmupMs: number | undefined;
  let served0: number | undefined;
  let measureStart = 0n;
  const exited = new Promise<number | null>((ok, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => ok(code));
  });
  for await (const line of createInterface({ input: child.stdout })) {
    let msg: LoadMessage;
    try {
      msg = JSON.parse(line) as LoadMessage;
    } catch {
      continue; // not ours
    }
    if (msg.phase === 'warmed') {
      settledAfterWarmupMs = opts.settle ? await opts.settle() : undefined;
      child.stdin.write('go\n');
    } else if (msg.phase === 'measure') {
      meter.start();
      measureStart = process.hrtime.bigint();
      served0 = opts.served ? await opts.served() : undefined;
    } else if (msg.phase === 'done') {
      cpu = meter.stop();
      summary = msg.summary;
    }
  }
  const code = await exited;
  if (!summary) throw new Error(`load generator for "${scenario.name}" exited with code ${code} and no result`);
  const settledAfterRunMs = opts.settle ? await opts.settle() : undefined;
  const servedEvents = opts.served && served0 !== undefined ? (await opts.served()) - served0 : undefined;
  const servedSeconds = Number(process.hrtime.bigint() - measureStart) / 1e9;
  return {
    scenario,
    connections: opts.connections,
    summary,
    eventsPerSecond: summary.requestsPerSecond * (scenario.eventsPerRequest ?? 1),
    cpu: [...cpu, { label: 'load generator', percent: summary.loadCpuPercent }],
    settledAfterWarmupMs,
    settledAfterRunMs,
    servedEvents,
    servedSeconds: servedEvents === undefined ? undefined : servedSeconds,
  };
}

/** The three ingestion scenarios of the benchmark. */
export function ingestScenarios(keys: { api: string; alertmanager: string }, dedupKeys = 8, batch = 10): Scenario[] {
  return [
    {
      name: 'single events, new alerts',
      path: '/api/v1/events',
      headers: { authorization: `Bearer ${keys.api}` },
      body: { kind: 'apiUnique' },
    },
    {
      name: `single events, dedup path (${dedupKeys} keys)`,
      path: '/api/v1/events',
      headers: { authorization: `Bearer ${keys.api}` },
      body: { kind: 'apiDedup', args: { keys: dedupKeys } },
    },
    {
      name: `Alertmanager batches of ${batch}`,
      path: '/api/v1/webhooks/alertmanager',
      headers: { authorization: `Bearer ${keys.alertmanager}` },
      body: { kind: 'alertmanagerBatch', args: { batch } },
      eventsPerRequest: batch,
    },
  ];
}
