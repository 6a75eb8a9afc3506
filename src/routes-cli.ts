import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Directory } from './config/directory.js';
import { ConfigError } from './config/config-error.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import type { Integration } from './config/schema.js';
import { Dispatcher } from './core/routing.js';
import { previewRouting, type PreviewInput, type RoutePreview } from './ingest/route-preview.js';
import { PayloadError } from './sources/types.js';

const USAGE = `usage: dutybot routes test <payload.json> [--integration <name>] [--at <ISO time>] [--json] [--config <dutybot.yaml>]

Shows which dispatch rule an alert would match, and why each rule did or did not, without
creating anything. The payload is what the integration's tool sends (an Alertmanager webhook,
a Zabbix or Graylog body…) or, for an "api" integration, one REST event. The config is read as
\`npm start\` reads it (DUTYBOT_CONFIG, default ./dutybot.yaml); no database is needed.`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** `dutybot <args>`; returns the exit code (0 ok, 1 configuration error, 2 bad usage or payload). */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  if (args[0] !== 'routes' || args[1] !== 'test') {
    io.err(`${USAGE}\n`);
    return 2;
  }
  let opts;
  try {
    opts = parseArgs({
      args: args.slice(2),
      allowPositionals: true,
      options: { integration: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const file = opts.positionals[0];
  if (!file || opts.positionals.length > 1) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  const at = opts.values.at ? new Date(opts.values.at) : new Date();
  if (Number.isNaN(at.getTime())) {
    io.err(`--at: "${opts.values.at}" is not a time like 2027-10-01T09:30:00+08:00\n`);
    return 2;
  }

  let config: LoadedConfig;
  try {
    const path = resolve(io.cwd, opts.values.config ?? io.env.DUTYBOT_CONFIG ?? './dutybot.yaml');
    config = loadConfig({ path, dataDir: resolve(io.cwd, io.env.DUTYBOT_DATA_DIR ?? './data'), env: io.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`configuration error: ${err.message}\n`);
    return 1;
  }
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(resolve(io.cwd, file), 'utf8'));
  } catch (err) {
    io.err(`${file}: ${(err as Error).message}\n`);
    return 2;
  }

  const dir = new Directory(config);
  const dispatcher = new Dispatcher(config);
  const inputOf = (i: Integration): PreviewInput => (i.type === 'api' ? { event: body as Record<string, unknown> } : { payload: body });
  let chosen: { integration: Integration; previews: RoutePreview[] } | undefined;
  const named = opts.values.integration;
  try {
    if (named) {
      const integration = config.integrations.find((i) => i.name === named);
      if (!integration) {
        io.err(`unknown integration "${named}" (known: ${config.integrations.map((i) => i.name).join(', ') || 'none'})\n`);
        return 2;
      }
      chosen = { integration, previews: previewRouting(dir, dispatcher, integration, inputOf(integration), at) };
    } else {
      // No --integration: the integrations whose tool's format the payload is in.
      const fits = config.integrations.flatMap((integration) => {
        try {
          return [{ integration, previews: previewRouting(dir, dispatcher, integration, inputOf(integration), at) }];
        } catch (err) {
          if (err instanceof PayloadError) return [];
          throw err;
        }
      });
      if (fits.length !== 1) {
        const why = fits.length === 0 ? 'no integration accepts this payload' : `it fits several integrations (${fits.map((f) => f.integration.name).join(', ')})`;
        io.err(`${why}: name one with --integration <name>\n`);
        return 2;
      }
      chosen = fits[0]!;
    }
  } catch (err) {
    if (!(err instanceof PayloadError)) throw err;
    io.err(`${file}: ${err.message}\n`);
    return 2;
  }
  const { integration, previews } = chosen;
  if (opts.values.json) io.out(`${JSON.stringify({ integration: integration.name, at: at.toISOString(), events: previews }, null, 2)}\n`);
  else io.out(describe(integration, at, previews));
  return 0;
}

function describe(integration: Integration, at: Date, previews: RoutePreview[]): string {
  const lines = [`integration ${integration.name} (${integration.type}), arriving ${at.toISOString()}`];
  previews.forEach((p, i) => {
    lines.push('', `event ${i + 1}: [${p.severity}] ${p.title}${p.host ? ` (host ${p.host})` : ''}${p.eventType === 'trigger' ? '' : ` · ${p.eventType}`}`);
    const via = p.fallback ? 'no rule matched: the integration’s team' : `rules ${p.matchedRules.join(', ')}`;
    lines.push(`  → team ${p.teams.join(', ')} (${via})`);
    lines.push(`  → escalation ${p.escalationPolicy ? `${p.escalationPolicy} (from the ${p.escalationPolicyFrom})` : 'none'}`);
    lines.push(`  → channels ${p.channels.map((c) => `${c.platform} ${c.channel}`).join(', ') || 'none'}`);
    for (const r of p.rules) lines.push(`  ${r.matched ? '✓' : r.reached ? '✗' : '·'} ${r.rule}${r.continue ? ' (continue)' : ''}: ${r.why}`);
  });
  return `${lines.join('\n')}\n`;
}
