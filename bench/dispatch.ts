/**
 * `npx tsx bench/dispatch.ts`: how long dispatch takes per event with the example config's rules
 * (13 rules; most events are tried against most of them), as ingestion runs it (no explanation)
 * and as `routes test` runs it (every matcher explained). Pure CPU, no database.
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../src/config/load.js';
import { Dispatcher } from '../src/core/routing.js';
import type { NormalizedEvent, SourceType } from '../src/core/types.js';
import { parsers } from '../src/sources/registry.js';

const text = readFileSync(new URL('../dutybot.example.yaml', import.meta.url), 'utf8');
const env = Object.fromEntries([...text.matchAll(/\$\{([A-Z_0-9]+)\}/g)].map((m) => [m[1]!, `dummy-secret-value-for-${m[1]}`]));
const config = parseConfig(text, env);
const t0 = process.hrtime.bigint();
const dispatcher = new Dispatcher(config);
const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;

const samples: Array<{ source: SourceType; file: string }> = [
  { source: 'zabbix', file: 'problem.json' },
  { source: 'alertmanager', file: 'firing.json' },
  { source: 'graylog', file: 'v5-filter.json' },
  { source: 'api', file: 'trigger.json' },
];
const events: Array<{ source: SourceType; e: NormalizedEvent }> = samples.flatMap(({ source, file }) =>
  parsers[source].parse(JSON.parse(readFileSync(new URL(`../src/sources/${source}/fixtures/${file}`, import.meta.url), 'utf8'))).map((e) => ({ source, e })),
);
const integrationOf = (s: SourceType) => config.integrations.find((i) => i.type === s)!;

function run(n: number, explain: boolean): number {
  const at = new Date('2026-12-03T02:00:00Z');
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const { source, e } = events[i % events.length]!;
    const integ = integrationOf(source);
    dispatcher.route({ integration: integ.name, source, application: integ.application, team: integ.team }, e, at, { explain });
  }
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

run(20_000, false);
const plain = run(200_000, false);
const explained = run(50_000, true);
console.log(`rules: ${config.routes.length}, compile: ${compileMs.toFixed(2)} ms`);
console.log(`route one event (ingestion): ${plain.toFixed(2)} µs`);
console.log(`route one event with explanations (routes test): ${explained.toFixed(2)} µs`);
