import type { ScenarioResult } from './scenario.js';

export type Cell = string | number;
export type Row = Record<string, Cell>;

/** Prints rows as an aligned text table; the first row's keys are the columns, numbers are right-aligned. */
export function printTable(rows: Row[], title?: string, out: (line: string) => void = console.log): void {
  if (title) out(title);
  if (rows.length === 0) {
    out('(no rows)');
    return;
  }
  const cols = Object.keys(rows[0]!);
  const text = rows.map((r) => cols.map((c) => String(r[c] ?? '')));
  const width = cols.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
  const numeric = cols.map((c) => rows.every((r) => typeof r[c] === 'number' || r[c] === '' || r[c] === '-'));
  const fmt = (cells: string[]): string =>
    '| ' + cells.map((s, i) => (numeric[i] ? s.padStart(width[i]!) : s.padEnd(width[i]!))).join(' | ') + ' |';
  out(fmt(cols));
  out('|' + width.map((w, i) => (numeric[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|');
  for (const t of text) out(fmt(t));
}

/** Rounds for display, keeping the cell numeric. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function resultRows(results: ScenarioResult[]): Row[] {
  return results.map((r) => ({
    scenario: r.scenario.name,
    connections: r.connections,
    'req/s': round(r.summary.requestsPerSecond),
    'events/s': round(r.eventsPerSecond),
    // No answer within the run: no latency to report (the requests were still in flight).
    'p50 ms': r.summary.requestsTotal ? round(r.summary.latencyP50) : '-',
    'p99 ms': r.summary.requestsTotal ? round(r.summary.latencyP99) : '-',
    'non-2xx': r.summary.non2xx,
    errors: r.summary.errors,
  }));
}

/** What the table leaves out: answers vs requests sent, and how long the server went on afterwards. */
export function resultNotes(results: ScenarioResult[]): string[] {
  return results.map((r) => {
    const s = r.summary;
    const settle = r.settledAfterRunMs === undefined ? '' : `; server busy ${round(r.settledAfterRunMs / 1000)} s more with requests left in flight`;
    const warm = r.settledAfterWarmupMs === undefined ? '' : ` (warm-up backlog: ${round(r.settledAfterWarmupMs / 1000)} s)`;
    const served =
      r.servedEvents === undefined || !r.servedSeconds
        ? ''
        : `\n    sustained: ${r.servedEvents} events stored in ${round(r.servedSeconds)} s (run + backlog) = ${round(r.servedEvents / r.servedSeconds)} events/s`;
    const codes = Object.entries(s.statusCodes)
      .map(([c, n]) => `${c}×${n}`)
      .join(' ');
    return `  ${r.scenario.name}: ${s.requestsTotal} answers (${codes || 'none'}) to ${s.requestsSent} requests sent in ${round(s.seconds)} s, ${s.timeouts} timeouts${settle}${warm}${served}`;
  });
}

/** CPU use over each measured interval, in percent of one core. */
export function cpuRows(results: ScenarioResult[]): Row[] {
  return results.map((r) => ({
    scenario: r.scenario.name,
    ...Object.fromEntries(r.cpu.map((c) => [`${c.label} %CPU`, c.percent === undefined ? '-' : round(c.percent, 0)])),
  }));
}
