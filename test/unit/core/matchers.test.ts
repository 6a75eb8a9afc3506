import { describe, expect, it } from 'vitest';
import type { Matchers } from '../../../src/config/schema.js';
import { hostForms } from '../../../src/core/host-groups.js';
import { parseLabelMatcher } from '../../../src/core/label-matcher.js';
import { compileMatchContext, compileMatchers, matchAlert, MatcherError, type MatchSubject } from '../../../src/core/matchers.js';

const ctx = compileMatchContext({
  hostGroups: { databases: ['db-*', '/^mysql-\\d+$/', 'pg-main.example.com'], web: ['web-??', 'nginx-*'] },
  calendars: {},
  timeZone: 'Asia/Shanghai',
});

const mysql: MatchSubject = {
  integration: 'prometheus',
  application: 'k8s-prod',
  source: 'alertmanager',
  severity: 'critical',
  title: 'MySQL replication lag is 120s',
  description: 'Replica db-02 is behind its primary',
  host: 'db-02.example.com:9104',
  labels: [
    { name: 'env', value: 'prod' },
    { name: 'service', value: 'mysql' },
    { name: 'app.kubernetes.io/name', value: 'mysql' },
  ],
};
const AT = new Date('2026-12-03T06:00:00Z');
const test = (m: Matchers, s: MatchSubject = mysql) => matchAlert(compileMatchers(m, ctx), s, AT, { explain: true });

describe('label matchers (Prometheus syntax, anchored regexes like Alertmanager)', () => {
  it('parses the four operators, quoted or not', () => {
    expect(parseLabelMatcher('env="prod"')).toMatchObject({ name: 'env', op: '=', value: 'prod' });
    expect(parseLabelMatcher('env != dev')).toMatchObject({ name: 'env', op: '!=', value: 'dev' });
    expect(parseLabelMatcher('service=~"nginx|mysql"')).toMatchObject({ op: '=~', value: 'nginx|mysql' });
    expect(parseLabelMatcher('app.kubernetes.io/name!~"test.*"')).toMatchObject({ name: 'app.kubernetes.io/name', op: '!~' });
    expect(parseLabelMatcher('msg="say \\"hi\\""').value).toBe('say "hi"');
  });

  it('refuses what is not a matcher, or a regex that does not compile', () => {
    expect(() => parseLabelMatcher('env: prod')).toThrow(/not a label matcher like env="prod"/);
    expect(() => parseLabelMatcher('env="prod')).toThrow(/quotes do not match/);
    expect(() => parseLabelMatcher('service=~"(mysql"')).toThrow(/regex does not compile/);
  });

  it('anchors regexes: service=~"my" does not match mysql, service=~"my.*" does', () => {
    expect(test({ labels: ['service=~"my"'] }).matched).toBe(false);
    expect(test({ labels: ['service=~"my.*"'] }).matched).toBe(true);
    expect(test({ labels: ['service!~"redis|mongo"', 'env="prod"'] }).matched).toBe(true);
  });

  it('treats a missing label as empty: env!="dev" holds and team="" holds when the alert has no team', () => {
    expect(test({ labels: ['team=""', 'zone!="eu"'] }).matched).toBe(true);
    expect(test({ labels: ['team="ops"'] }).verdicts[0]!.why).toBe('team="ops" does not hold: team is absent');
  });

  it('falls back to the alert host, service and severity fields when no such label exists', () => {
    const api: MatchSubject = { ...mysql, labels: [], service: 'sms-gateway', severity: 'warning' };
    expect(test({ labels: ['service="sms-gateway"', 'severity="warning"'] }, api).matched).toBe(true);
  });
});

describe('matchers', () => {
  it('all given matchers must hold, and the answer says why each did', () => {
    const r = test({ integration: ['prometheus'], severity: ['critical'], labels: ['service="redis"'], title: 'replication' });
    expect(r.matched).toBe(false);
    expect(r.verdicts.map((v) => [v.matcher, v.ok])).toEqual([
      ['integration', true],
      ['severity', true],
      ['labels[0]', false],
      ['title', true],
    ]);
    expect(r.verdicts[2]!.why).toBe('service="redis" does not hold: service is "mysql"');
  });

  it('builds no explanation when none is asked for', () => {
    const r = matchAlert(compileMatchers({ severity: ['info'], title: 'x' }, ctx), mysql, AT);
    expect(r).toEqual({ matched: false, verdicts: [] });
  });

  it('no matchers match everything', () => {
    expect(test({}).matched).toBe(true);
  });

  it('severityAtLeast: warning means warning or critical', () => {
    expect(test({ severityAtLeast: 'warning' }).matched).toBe(true);
    expect(test({ severityAtLeast: 'warning' }, { ...mysql, severity: 'warning' }).matched).toBe(true);
    expect(test({ severityAtLeast: 'warning' }, { ...mysql, severity: 'info' }).verdicts[0]!.why).toBe('severity info is below warning');
  });

  it('integration, application and source', () => {
    expect(test({ application: ['k8s-prod'], source: ['alertmanager'] }).matched).toBe(true);
    expect(test({ source: ['zabbix', 'graylog'] }).verdicts[0]!.why).toBe('source alertmanager is not one of zabbix, graylog');
  });

  it('title, description and text are case-insensitive searches', () => {
    expect(test({ title: 'mysql.*lag' }).matched).toBe(true);
    expect(test({ description: 'BEHIND' }).matched).toBe(true);
    expect(test({ text: 'replica db-\\d+' }).matched).toBe(true);
    expect(test({ text: 'nginx' }).matched).toBe(false);
    expect(() => compileMatchers({ title: '(unclosed' }, ctx)).toThrow(MatcherError);
    expect(() => compileMatchers({ title: '(unclosed' }, ctx)).toThrow(/^title: the regex does not compile/);
  });
});

describe('host groups', () => {
  it('globs, /regex/ and exact names; the port and URL forms of a host are tried too', () => {
    expect(test({ hostGroup: ['databases'] }).verdicts[0]!.why).toBe('host db-02.example.com:9104 is in group databases (db-*)');
    expect(test({ hostGroup: ['databases'] }, { ...mysql, host: 'mysql-7' }).matched).toBe(true);
    expect(test({ hostGroup: ['databases'] }, { ...mysql, host: 'mysql-7b' }).matched).toBe(false);
    expect(test({ hostGroup: ['databases'] }, { ...mysql, host: 'https://PG-MAIN.example.com/health' }).matched).toBe(true);
    expect(test({ hostGroup: ['web', 'databases'] }, { ...mysql, host: 'web-01' }).matched).toBe(true);
    expect(test({ hostGroup: ['web'] }, { ...mysql, host: 'web-001' }).matched).toBe(false);
    expect(test({ hostGroup: ['web'] }, { ...mysql, host: undefined }).verdicts[0]!.why).toBe('the alert names no host (host groups web)');
  });

  it('the forms of a host', () => {
    expect(hostForms('db-1:9100')).toEqual(['db-1:9100', 'db-1']);
    expect(hostForms('https://server.example.org:8443/x')).toEqual(['https://server.example.org:8443/x', 'server.example.org']);
  });

  it('an unknown group is an error at compile time', () => {
    expect(() => compileMatchers({ hostGroup: ['dbs'] }, ctx)).toThrow('hostGroup[0]: unknown host group "dbs"');
  });
});
