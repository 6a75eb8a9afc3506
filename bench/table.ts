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
    'p50 ms': round(r.summary.latencyP50),
    'p99 ms': round(r.summary.latencyP99),
    'non-2xx': r.summary.non2xx,
    errors: r.summary.errors,
  }));
}

/** CPU use over each measured interval, in percent of one core. */
export function cpuRows(results: ScenarioResult[]): Row[] {
  return results.map((r) => ({
    scenario: r.scenario.name,
    ...Object.fromEntries(r.cpu.map((c) => [`${c.label} %CPU`, c.percent === undefined ? '-' : round(c.percent, 0)])),
  }));
}
