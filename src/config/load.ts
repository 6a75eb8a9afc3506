import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, visit } from 'yaml';
import { formatPath } from '../sources/validate.js';
import { dispatchProblem } from './check-dispatch.js';
import { opsProblem } from './check-ops.js';
import { webhooksProblem } from './check-webhooks.js';
import { configSchema, type Config, type Integration } from './schema.js';
import { checkOnCall } from './check-oncall.js';
import { ConfigError } from './config-error.js';

export interface LoadedConfig extends Omit<Config, 'integrations'> {
  integrations: Integration[];
  /** True when no file existed and a demo set-up was generated (see {@link defaultConfig}). */
  generated: boolean;
}

/** `${NAME}` → process.env.NAME; a missing variable is an error, never an empty secret. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined) throw new ConfigError(`environment variable ${name} is used in the config but not set`);
    return v;
  });
}

/**
 * Substitutes `${NAME}` inside the YAML's values only. Substituting in the text (as before) also
 * read `${NAME}` in comments — a commented-out line demanded its variable — and let a secret
 * containing `#` or `: ` change the YAML around it. So each `${NAME}` becomes a plain-word
 * placeholder, the YAML is read (comments, with their placeholders, fall away), and the values are
 * substituted. A value that is only `${NAME}`, unquoted, and holds a number or true/false keeps
 * that type, as when the text was substituted: `maxAttempts: ${N}` is still a number.
 */
function parseYamlWithEnv(text: string, env: NodeJS.ProcessEnv): unknown {
  const tag = `DUTYBOTENV${randomBytes(6).toString('hex')}`;
  const marked = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => `${tag}_${name}_${tag}`);
  const placeholder = new RegExp(`${tag}_([A-Za-z_][A-Za-z0-9_]*?)_${tag}`, 'g');
  const doc = parseDocument(marked);
  if (doc.errors.length) throw new ConfigError(`not valid YAML: ${doc.errors[0]!.message}`);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes(tag)) return;
      const whole = node.type === 'PLAIN' && new RegExp(`^${placeholder.source}$`).test(node.value);
      const value = substituteEnv(node.value.replace(placeholder, (_, name: string) => `\${${name}}`), env);
      node.value = whole && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : whole && /^(true|false)$/.test(value) ? value === 'true' : value;
    },
  });
  return doc.toJS();
}

/** Parses and checks a config text. Cross-references (team → member, integration → team) are checked too. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): Omit<LoadedConfig, 'generated'> {
  let raw: unknown;
  try {
    raw = parseYamlWithEnv(text, env) ?? {};
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`not valid YAML: ${(err as Error).message}`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = formatPath(issue.path);
    const msg =
      issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    throw new ConfigError(path ? `${path}: ${msg}` : msg);
  }
  const cfg = result.data;
  checkUnique(cfg.members.map((m) => m.id), 'members', 'member id');
  checkUnique(cfg.teams.map((t) => t.id), 'teams', 'team id');
  checkUnique(cfg.integrations.map((i) => i.name), 'integrations', 'integration name');
  checkUnique(cfg.integrations.map((i) => i.key), 'integrations', 'integration key');
  checkUnique(cfg.members.flatMap((m) => (m.apiToken ? [m.apiToken] : [])), 'members', 'apiToken');
  const memberIds = new Set(cfg.members.map((m) => m.id));
  const teamIds = new Set(cfg.teams.map((t) => t.id));
  cfg.teams.forEach((t, ti) =>
    t.members.forEach((m, mi) => {
      if (!memberIds.has(m)) throw new ConfigError(`teams[${ti}].members[${mi}]: unknown member "${m}"`);
    }),
  );
  cfg.console.oidc?.admins.forEach((m, mi) => {
    if (!memberIds.has(m)) throw new ConfigError(`console.oidc.admins[${mi}]: unknown member "${m}"`);
  });
  cfg.integrations.forEach((i, ii) => {
    if (!teamIds.has(i.team)) throw new ConfigError(`integrations[${ii}].team: unknown team "${i.team}"`);
  });
  const dispatch = dispatchProblem(cfg);
  if (dispatch) throw new ConfigError(dispatch);
  const ops = opsProblem(cfg);
  if (ops) throw new ConfigError(ops);
  checkOnCall(cfg);
  const hooks = webhooksProblem(cfg);
  if (hooks) throw new ConfigError(hooks);
  return {
    ...cfg,
    integrations: cfg.integrations.map((i) => ({ ...i, application: i.application ?? i.name }) as Integration),
  };
}

function checkUnique(values: string[], path: string, what: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    const first = seen.get(v);
    if (first !== undefined) throw new ConfigError(`${path}[${i}]: duplicate ${what} (same as ${path}[${first}])`);
    seen.set(v, i);
  });
}

/**
 * With no config file, dutybot still starts: one `api` integration and one member, whose secrets
 * are generated once and kept in the data dir so they survive restarts.
 */
export function defaultConfig(dataDir: string): LoadedConfig {
  mkdirSync(dataDir, { recursive: true });
  const secretsFile = join(dataDir, 'generated-secrets.json');
  let secrets: { integrationKey: string; adminToken: string };
  if (existsSync(secretsFile)) {
    secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as typeof secrets;
  } else {
    secrets = { integrationKey: randomBytes(24).toString('hex'), adminToken: randomBytes(24).toString('hex') };
    writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  const cfg = parseConfig(
    JSON.stringify({
      integrations: [{ name: 'default', type: 'api', key: secrets.integrationKey, team: 'default' }],
      members: [{ id: 'admin', name: 'Admin', apiToken: secrets.adminToken }],
      teams: [{ id: 'default', name: 'Default team', members: ['admin'] }],
    }),
    {},
  );
  return { ...cfg, generated: true };
}

export function loadConfig(opts: { path: string; dataDir: string; env?: NodeJS.ProcessEnv }): LoadedConfig {
  if (!existsSync(opts.path)) return defaultConfig(opts.dataDir);
  const text = readFileSync(opts.path, 'utf8');
  try {
    return { ...parseConfig(text, opts.env ?? process.env), generated: false };
  } catch (err) {
    if (err instanceof ConfigError) err.message = `${opts.path}: ${err.message}`;
    throw err;
  }
}
