import { afterEach, describe, expect, it } from 'vitest';
import { zabbixParser } from '../../../src/sources/zabbix/parse.js';
import { mediaTypeFromDoc } from '../../support/zabbix-media-type-doc.js';

/**
 * The media type script of docs/zabbix-media-type.md, run as Zabbix runs it (a function of
 * `value`, the parameters as JSON, with Zabbix's HttpRequest and Zabbix.log) and its body read by
 * dutybot's parser. Zabbix 6.0 sends `{EVENT.TIMESTAMP}` unresolved (npm run test:e2e:zabbix saw
 * it), so the script must make the time from {EVENT.DATE} {EVENT.TIME}, the server's local time.
 */
function runScript(params: Record<string, string>): unknown {
  const { script } = mediaTypeFromDoc('https://dutybot.example.com/api/v1/webhooks/zabbix', 'k');
  let posted: string | undefined;
  class HttpRequest {
    addHeader(): void {}
    setProxy(): void {}
    post(_url: string, body: string): string {
      posted = body;
      return '{}';
    }
    getStatus(): number {
      return 202;
    }
  }
  const Zabbix = { log: () => undefined };
  const run = new Function('value', 'HttpRequest', 'Zabbix', script) as (v: string, h: unknown, z: unknown) => string;
  expect(run(JSON.stringify({ URL: 'https://dutybot.example.com/api/v1/webhooks/zabbix', key: 'k', ...params }), HttpRequest, Zabbix)).toBe('OK');
  return JSON.parse(posted!);
}

const problem6_0 = {
  event_id: '42',
  event_value: '1',
  trigger_name: 'Queue stuck',
  event_timestamp: '{EVENT.TIMESTAMP}',
  event_time: '2026.12.05 16:40:10',
  recovery_timestamp: '{EVENT.RECOVERY.TIMESTAMP}',
  recovery_time: '{EVENT.RECOVERY.DATE} {EVENT.RECOVERY.TIME}',
};

describe('the documented Zabbix media type script', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it('on Zabbix 6.0 (no {EVENT.TIMESTAMP}) the start is the server-local event time, as an instant', () => {
    process.env.TZ = 'Asia/Shanghai'; // Node re-reads TZ when it is set
    const body = runScript(problem6_0);
    expect(zabbixParser.parse(body)[0]!.occurredAt).toEqual(new Date('2026-12-05T08:40:10Z'));
  });

  it('a recovery on Zabbix 6.0 ends at the server-local recovery time', () => {
    process.env.TZ = 'America/New_York';
    const body = runScript({ ...problem6_0, event_value: '0', recovery_time: '2026.12.05 03:45:00' });
    expect(zabbixParser.parse(body)[0]!.occurredAt).toEqual(new Date('2026-12-05T08:45:00Z'));
  });

  it('a timestamp Zabbix did resolve is sent as it is', () => {
    process.env.TZ = 'Asia/Shanghai';
    const body = runScript({ ...problem6_0, event_timestamp: '1796459966' }) as Record<string, string>;
    expect(body.event_timestamp).toBe('1796459966');
  });
});
