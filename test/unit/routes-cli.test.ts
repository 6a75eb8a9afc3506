import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RoutePreview } from '../../src/ingest/route-preview.js';
import { runCli } from '../../src/routes-cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Every ${VAR} of the example gets a distinct dummy value. */
const env = new Proxy({ DUTYBOT_CONFIG: 'dutybot.example.yaml' } as Record<string, string>, {
  get: (t, name) => t[String(name)] ?? `dummy-secret-value-for-${String(name)}`,
  has: () => true,
}) as NodeJS.ProcessEnv;
const fixture = (source: string, file: string) => `src/sources/${source}/fixtures/${file}`;
/** A Thursday, 10:00 in Shanghai: office hours. */
const OFFICE = '2026-12-03T10:00:00+08:00';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { env, cwd: ROOT, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

async function routed(file: string, at = OFFICE, integration?: string): Promise<RoutePreview[]> {
  const r = await cli(['routes', 'test', file, '--at', at, '--json', ...(integration ? ['--integration', integration] : [])]);
  expect(r.err).toBe('');
  return (JSON.parse(r.out) as { events: RoutePreview[] }).events;
}
const summary = (events: RoutePreview[]) => events.map((e) => ({ rules: e.matchedRules, teams: e.teams }));

describe('dutybot.example.yaml routes the sample payloads to the departments that own them', () => {
  it('servers and databases from Zabbix go to ops', async () => {
    expect(summary(await routed(fixture('zabbix', 'problem.json')))).toEqual([{ rules: ['servers'], teams: ['ops'] }]);
    expect(summary(await routed(fixture('zabbix', 'problem-severity-names.json')))).toEqual([{ rules: ['databases'], teams: ['ops'] }]);
  });

  it('Prometheus: a crash-looping pod falls to the default route, payment latency is a third-party problem', async () => {
    expect(summary(await routed(fixture('alertmanager', 'firing.json'), OFFICE, 'prometheus'))).toEqual([
      { rules: ['default'], teams: ['ops'] },
      { rules: ['third-party'], teams: ['operations', 'ops'] },
    ]);
  });

  it('Grafana’s database host goes to ops; Graylog exceptions go to the developers', async () => {
    expect(summary(await routed(fixture('grafana', 'firing.json'), OFFICE, 'grafana'))[0]).toEqual({ rules: ['databases'], teams: ['ops'] });
    const [e] = await routed(fixture('graylog', 'v4-aggregation.json'));
    expect(e).toMatchObject({ matchedRules: ['log-exceptions'], team: 'dev', escalationPolicy: 'dev-default', escalationPolicyFrom: 'team' });
    expect(e!.channels).toEqual([{ platform: 'dingtalk', channel: 'cidDEVGROUP0123==' }]);
  });

  it('the billing system’s low-balance and customer-expiry alerts go to business, order volume to operations', async () => {
    expect(summary(await routed(fixture('api', 'trigger.json')))).toEqual([{ rules: ['low-balance'], teams: ['biz'] }]);
    const dir = mkdtempSync(join(tmpdir(), 'dutybot-routes-test-'));
    writeFileSync(join(dir, 'expiry.json'), JSON.stringify({ title: '客户 ACME 合同 7 天后到期 / Customer ACME expires in 7 days' }));
    writeFileSync(join(dir, 'orders.json'), JSON.stringify({ title: '订单量 10 分钟内下跌 40%', severity: 'critical' }));
    try {
      expect(summary(await routed(join(dir, 'expiry.json')))).toEqual([{ rules: ['customer-expiry'], teams: ['biz'] }]);
      expect(summary(await routed(join(dir, 'orders.json'), OFFICE, 'billing-api'))).toEqual([{ rules: ['order-volume'], teams: ['operations'] }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('critical alerts on holidays and at night also page the duty room; a make-up working day (调休) is office hours', async () => {
    const holiday = await routed(fixture('zabbix', 'problem.json'), '2027-10-01T10:00:00+08:00');
    expect(holiday[0]).toMatchObject({ matchedRules: ['after-hours-critical', 'servers'], escalationPolicy: 'ops-night', escalationPolicyFrom: 'route' });
    // The robot URL's token is masked.
    expect(holiday[0]!.channels).toEqual([
      { platform: 'slack', channel: 'C0123OPS' },
      { platform: 'dingtalk-webhook', channel: 'https://oapi.dingtalk.com/robot/send?access_token=…' },
    ]);
    expect((await routed(fixture('zabbix', 'problem.json'), '2027-10-09T10:00:00+08:00'))[0]!.matchedRules).toEqual(['servers']);
    expect((await routed(fixture('zabbix', 'problem.json'), '2026-12-03T23:30:00+08:00'))[0]!.matchedRules).toEqual(['after-hours-critical', 'servers']);
  });
});

describe('dutybot routes test (CLI)', () => {
  it('prints each rule with why it did or did not match', async () => {
    const r = await cli(['routes', 'test', fixture('graylog', 'v5-filter.json'), '--at', OFFICE]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('integration graylog (graylog), arriving 2026-12-03T02:00:00.000Z');
    expect(r.out).toContain('→ team dev (rules log-exceptions)');
    expect(r.out).toContain('✓ log-exceptions: matched: ✓ source graylog is one of graylog');
    expect(r.out).toContain('· default: not tried: rule log-exceptions matched first');
  });

  it('asks for --integration when several fit, and refuses bad input with exit code 2', async () => {
    expect(await cli(['routes', 'test', fixture('alertmanager', 'firing.json')])).toMatchObject({
      code: 2,
      err: 'it fits several integrations (prometheus, grafana): name one with --integration <name>\n',
    });
    expect((await cli(['routes', 'test', 'nope.json'])).code).toBe(2);
    expect((await cli(['routes', 'test', fixture('api', 'trigger.json'), '--at', 'soon'])).err).toContain('--at: "soon" is not a time');
    expect((await cli(['routes', 'test', fixture('api', 'trigger.json'), '--integration', 'zabbix'])).err).toMatch(/^src\/sources\/api\/fixtures\/trigger.json: /);
    expect((await cli(['routes'])).code).toBe(2);
  });

  it('a config error exits 1 with its path', async () => {
    const r = await runCli(['routes', 'test', fixture('api', 'trigger.json'), '--config', 'package.json'], {
      env: {},
      cwd: ROOT,
      out: () => {},
      err: () => {},
    });
    expect(r).toBe(1);
  });

  it('runs as the `dutybot` command', async () => {
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(
        process.execPath,
        ['bin/dutybot.js', 'routes', 'test', fixture('api', 'trigger.json'), '--at', OFFICE],
        { cwd: ROOT, env: { ...process.env, DUTYBOT_CONFIG: 'dutybot.example.yaml', ...dummyEnv() } },
        (err, out) => (err ? fail(err) : ok(out)),
      ),
    );
    expect(stdout).toContain('→ team biz (rules low-balance)');
  }, 30_000);
});

/** The example's ${VARS}, for a child process (a Proxy does not cross a process boundary). */
function dummyEnv(): Record<string, string> {
  const text = readFileSync(join(ROOT, 'dutybot.example.yaml'), 'utf8');
  return Object.fromEntries([...text.matchAll(/\$\{([A-Z_0-9]+)\}/g)].map((m) => [m[1]!, `dummy-secret-value-for-${m[1]}`]));
}
