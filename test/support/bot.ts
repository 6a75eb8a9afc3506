import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { parseConfig, type LoadedConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { AlertEvent } from '../../src/events.js';
import { startDutybot, type Dutybot, type StartOptions } from '../../src/start.js';
import { withDatabase } from '../../src/store/provision.js';
import { FakeClock } from './clock.js';

/** A database name no other test file uses. */
export function freshDatabaseUri(): string {
  return withDatabase(inject('mongoUri'), `t_${randomBytes(6).toString('hex')}`);
}

export const KEYS = {
  api: 'api-key-0123456789abcdef',
  alertmanager: 'am-key-0123456789abcdef',
  zabbix: 'zbx-key-0123456789abcdef',
  graylog: 'gl-key-0123456789abcdef',
  grafana: 'gf-key-0123456789abcdef',
} as const;

export const TOKENS = { zhang: 'token-zhang-0123456789', li: 'token-li-0123456789ab', wang: 'token-wang-0123456789' } as const;

/** A small organisation: ops (张三, 李四) and business (王五), one integration per source. */
export function testConfigInput(): ConfigInput {
  return {
    locale: 'zh',
    integrations: [
      { name: 'rest', type: 'api', key: KEYS.api, team: 'ops', application: 'billing' },
      { name: 'prometheus', type: 'alertmanager', key: KEYS.alertmanager, team: 'ops' },
      { name: 'zabbix', type: 'zabbix', key: KEYS.zabbix, team: 'ops' },
      { name: 'graylog', type: 'graylog', key: KEYS.graylog, team: 'ops' },
      { name: 'grafana', type: 'grafana', key: KEYS.grafana, team: 'ops' },
    ],
    members: [
      { id: 'zhang', name: '张三', apiToken: TOKENS.zhang, slack: 'U0ZHANG', dingtalk: 'staff-zhang', wechat: 'wx-zhang' },
      { id: 'li', name: '李四', apiToken: TOKENS.li, slack: 'U0LI', dingtalk: 'staff-li', wechat: 'wx-li' },
      { id: 'wang', name: '王五', apiToken: TOKENS.wang },
    ],
    teams: [
      { id: 'ops', name: '运维', members: ['zhang', 'li'] },
      { id: 'biz', name: '业务', members: ['wang'] },
    ],
  };
}

export function testConfig(input: ConfigInput = testConfigInput()): LoadedConfig {
  return { ...parseConfig(JSON.stringify(input), {}), generated: false };
}

export interface TestBot extends Dutybot {
  clock: FakeClock;
  mongoUri: string;
  post(path: string, body: unknown, auth?: string, headers?: Record<string, string>): Promise<Response>;
  get(path: string, auth?: string): Promise<Response>;
  /** Lets every card go out, moving the fake clock through rate-limit waits. */
  flushCards(): Promise<void>;
  /** The next domain event of this type (subscribe before causing it). */
  nextEvent(type: AlertEvent['type']): Promise<AlertEvent>;
}

export async function startTestBot(
  opts: Partial<StartOptions> & { config?: LoadedConfig; mongoUri?: string; clock?: FakeClock } = {},
): Promise<TestBot> {
  const clock = opts.clock ?? new FakeClock();
  const mongoUri = opts.mongoUri ?? freshDatabaseUri();
  const bot = await startDutybot({
    port: 0,
    host: '127.0.0.1',
    jobs: false,
    sleep: clock.sleep,
    ...opts,
    config: opts.config ?? testConfig(),
    mongoUri,
    clock,
  });
  return {
    ...bot,
    clock,
    mongoUri,
    post: (path, body, auth, headers = {}) =>
      fetch(bot.url + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (path, auth) => fetch(bot.url + path, { headers: auth ? { authorization: `Bearer ${auth}` } : {} }),
    nextEvent: (type) =>
      new Promise<AlertEvent>((ok) => {
        const off = bot.runtime.events.subscribe((e) => {
          if (e.type === type) {
            off();
            ok(e);
          }
        });
      }),
    flushCards: async () => {
      for (let i = 0; i < 10_000; i++) {
        // Let woken senders run on before looking again (they resume in later ticks).
        await new Promise((r) => setImmediate(r));
        await bot.cards.settled();
        if (bot.cards.isIdle()) return;
        clock.advanceToNextSleeper();
      }
      throw new Error('cards never settled');
    },
  };
}
