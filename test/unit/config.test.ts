import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig, substituteEnv } from '../../src/config/load.js';

const base = `
integrations:
  - { name: prom, type: alertmanager, key: "0123456789abcdef0", team: ops }
members:
  - { id: alice, name: Alice }
  - { id: bob, name: Bob }
teams:
  - { id: ops, name: Ops, members: [alice] }
  - { id: biz, name: Biz, members: [alice, bobb] }
`;

describe('config', () => {
  it('names the path of an unknown member', () => {
    expect(() => parseConfig(base)).toThrow(new ConfigError('teams[1].members[1]: unknown member "bobb"'));
  });

  it('names an unknown key', () => {
    const text = base.replace('bobb', 'bob').replace('{ id: alice, name: Alice }', '{ id: alice, name: Alice, emial: a@b.c }');
    expect(() => parseConfig(text)).toThrow('members[0]: unknown key "emial"');
  });

  it('names a wrong type and a bad enum', () => {
    expect(() => parseConfig(base.replace('bobb', 'bob').replace('alertmanager', 'nagios'))).toThrow(/^integrations\[0\]\.type: /);
    expect(() => parseConfig(base.replace('bobb', 'bob').replace('"0123456789abcdef0"', 'short'))).toThrow(
      'integrations[0].key: at least 16 characters',
    );
  });

  it('refuses an integration for an unknown team and duplicate ids', () => {
    expect(() => parseConfig(base.replace('bobb', 'bob').replace('team: ops', 'team: opz'))).toThrow('integrations[0].team: unknown team "opz"');
    expect(() => parseConfig(base.replace('bobb', 'bob').replace('{ id: bob, name: Bob }', '{ id: alice, name: Bob }'))).toThrow(
      'members[1]: duplicate member id',
    );
  });

  it('substitutes ${ENV} secrets and refuses a missing one', () => {
    const text = base.replace('bobb', 'bob').replace('"0123456789abcdef0"', '${PROM_KEY}');
    const cfg = parseConfig(text, { PROM_KEY: 'from-the-environment-1' });
    expect(cfg.integrations[0]).toMatchObject({ key: 'from-the-environment-1', application: 'prom' });
    expect(() => substituteEnv('${NOPE}', {})).toThrow('environment variable NOPE is used in the config but not set');
  });

  it('reads ${ENV} only in values: a comment may name an unset variable, a secret may hold YAML characters', () => {
    const text = `# set \${UNSET_IN_A_COMMENT} to override\n${base.replace('bobb', 'bob').replace('"0123456789abcdef0"', '${PROM_KEY}')}`;
    const cfg = parseConfig(text, { PROM_KEY: 'has: a colon #and a hash' });
    expect(cfg.integrations[0]!.key).toBe('has: a colon #and a hash');
  });

  it('accepts the shipped example', () => {
    const env = new Proxy({}, { get: (_t, name) => `secret-value-for-${String(name)}` }) as NodeJS.ProcessEnv;
    const cfg = parseConfig(readFileSync(new URL('../../dutybot.example.yaml', import.meta.url), 'utf8'), env);
    expect(cfg.teams.map((t) => t.id)).toEqual(['ops', 'dev', 'operations', 'biz']);
  });

  it('treats an empty file as an empty config', () => {
    expect(parseConfig('')).toMatchObject({ integrations: [], locale: 'zh' });
  });
});
