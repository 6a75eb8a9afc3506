/**
 * The load generator: one autocannon run (after an optional warm-up) in a child process of the
 * benchmark, so that generating load does not share dutybot's event loop and its CPU time can be
 * told apart from dutybot's. Started by runScenario (bench/scenario.ts) with a LoadJob as JSON in
 * argv[2]; writes one JSON line per phase to stdout.
 *
 * Import only types from this module: importing it for its values would start a run.
 */
import autocannon from 'autocannon';
import { bodyMakers, type BodyArgs, type BodyKind } from './bodies.js';

export interface LoadJob {
  url: string;
  method: 'POST' | 'GET' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: { kind: BodyKind; args: BodyArgs };
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

/** The parts of an autocannon result the benchmark reports. */
export interface LoadSummary {
  requestsPerSecond: number;
  requestsTotal: number;
  requestsSent: number;
  seconds: number;
  latencyP50: number;
  latencyP99: number;
  latencyAverage: number;
  status2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU the load generator itself used while measuring, in percent of one core. */
  loadCpuPercent: number;
}

/** warmed: the child waits for a line on stdin before it measures; measure: measuring starts now. */
export type LoadMessage = { phase: 'warmed' } | { phase: 'measure' } | { phase: 'done'; summary: LoadSummary };

/** Resolves on the next line the parent writes to our stdin. */
function goSignal(): Promise<void> {
  return new Promise((ok, fail) => {
    let buf = '';
    const onData = (b: Buffer): void => {
      buf += b.toString();
      if (!buf.includes('\n')) return;
      process.stdin.off('data', onData);
      process.stdin.pause();
      ok();
    };
    process.stdin.on('data', onData);
    process.stdin.once('end', () => fail(new Error('parent closed stdin before the go signal')));
  });
}

async function once(job: LoadJob, seconds: number, runId: string): Promise<autocannon.Result> {
  const body = job.body;
  const make = body ? bodyMakers[body.kind] : undefined;
  let n = 0;
  return autocannon({
    url: job.url,
    connections: job.connections,
    duration: seconds,
    requests: [
      {
        method: job.method,
        path: job.path,
        headers: job.headers,
        ...(make && body ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: make(n++, { ...body.args, runId }) }) } : {}),
      },
    ],
  });
}

function summarise(r: autocannon.Result, loadCpuPercent: number): LoadSummary {
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  return {
    requestsPerSecond: r.requests.average,
    requestsTotal: r.requests.total,
    requestsSent: r.requests.sent,
    seconds: r.duration,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
    latencyAverage: r.latency.average,
    status2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    loadCpuPercent,
  };
}

function send(msg: LoadMessage): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as LoadJob;
  const runId = job.body?.args.runId ?? 'run';
  if (job.warmupSeconds > 0) await once(job, job.warmupSeconds, `${runId}w`);
  const go = goSignal();
  send({ phase: 'warmed' });
  await go;
  send({ phase: 'measure' });
  const wall0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const result = await once(job, job.seconds, runId);
  const cpu = process.cpuUsage(cpu0);
  const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
  send({ phase: 'done', summary: summarise(result, ((cpu.user + cpu.system) / 1e6 / wall) * 100) });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('load generator failed:', err);
    process.exit(1);
  },
);
