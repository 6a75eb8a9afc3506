import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.js';
import { freshDatabaseUri, KEYS, TOKENS } from '../../support/bot.js';
import { spawnDutybot, type DutybotProcess } from '../../support/dutybot-process.js';
import { eventually } from '../../support/wait.js';
import { label, listAlerts, type RestAlert } from '../support/dutybot-rest.js';
import { stopAllTools } from '../support/tool-process.js';
import { mediaTypeFromDoc } from '../../support/zabbix-media-type-doc.js';
import { startPostgres, type Postgres } from './postgres.js';
import { zabbixSend } from './sender.js';
import { loadZabbixSchema, startZabbixFrontend, startZabbixServer, ZabbixApi, type ZabbixFrontend, type ZabbixServer } from './zabbix.js';

/**
 * Zabbix 6.0 (Debian's server on PostgreSQL, and its frontend's API) drives a real dutybot
 * process through the webhook media type of docs/zabbix-media-type.md: a trapper item the test
 * sets → a trigger → problem → alert; an acknowledgement in Zabbix → a problem update of the same
 * alert; the value back to normal → recovery → resolved, each at Zabbix's own event time.
 */

const HOST = 'e2e-db-1';
const ITEM = 'queue.stuck';

function dutybotConfig(): ConfigInput {
  return {
    locale: 'en',
    integrations: [{ name: 'zabbix', type: 'zabbix', key: KEYS.zabbix, team: 'ops' }],
    members: [{ id: 'zhang', name: 'Zhang', apiToken: TOKENS.zhang }],
    teams: [{ id: 'ops', name: 'Ops', members: ['zhang'] }],
  };
}

describe('Zabbix drives dutybot through the documented webhook media type', () => {
  let pg: Postgres;
  let server: ZabbixServer;
  let frontend: ZabbixFrontend;
  let api: ZabbixApi;
  let dutybot: DutybotProcess;
  let dataDir: string;
  let triggerId: string;

  const alerts = (status: string) => listAlerts(dutybot.url, TOKENS.zhang, status);
  /**
   * Sends the item's value until Zabbix shows its effect: the item and its trigger reach the
   * server's configuration cache a second or so after the API made them, and a value taken
   * before the trigger is there changes nothing. Repeating the same value creates no new event.
   */
  const sendUntil = <T>(value: string, effect: () => Promise<T | undefined | false>, what: string): Promise<T> =>
    eventually(async () => {
      await zabbixSend(server.trapperPort, [{ host: HOST, key: ITEM, value }]);
      return effect();
    }, 60_000, what).catch(explain);

  /** A failure names what Zabbix itself says of its notifications (status, error, retries). */
  const explain = async (err: Error): Promise<never> => {
    const sentByZabbix = await api.call('alert.get', { output: ['alerttype', 'status', 'retries', 'error', 'clock'] }).catch(String);
    throw new Error(`${err.message}\nZabbix's notifications: ${JSON.stringify(sentByZabbix)}\n--- zabbix_server ---\n${server.process.output().slice(-3000)}`);
  };

  beforeAll(async () => {
    const t0 = Date.now();
    dataDir = mkdtempSync(join(tmpdir(), 'dutybot-e2e-'));
    dutybot = await spawnDutybot({ dataDir, config: dutybotConfig(), env: { MONGODB_URI: freshDatabaseUri(), LOG_LEVEL: 'warn' } });
    pg = await startPostgres();
    loadZabbixSchema(pg);
    const loaded = Date.now();
    server = await startZabbixServer(pg);
    frontend = await startZabbixFrontend(pg, server);
    api = new ZabbixApi(frontend.url);
    await eventually(() => api.login().then(() => true), 60_000, 'Zabbix API login');
    process.stdout.write(`[e2e zabbix] schema loaded in ${((loaded - t0) / 1000).toFixed(1)} s; set-up ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

    // Zabbix's own "Zabbix server" host would poll an agent nobody runs; only the test's host matters.
    await api.call('host.update', { hostid: '10084', status: 1 });
    await api.call('usermacro.createglobal', { macro: '{$ZABBIX.URL}', value: frontend.url });
    const { groupids } = await api.call<{ groupids: string[] }>('hostgroup.create', { name: 'dutybot e2e' });
    const groupid = groupids[0]!;
    // docs/zabbix-media-type.md, section 2: the media type.
    const doc = mediaTypeFromDoc(`${dutybot.url}/api/v1/webhooks/zabbix`, KEYS.zabbix);
    const { mediatypeids } = await api.call<{ mediatypeids: string[] }>('mediatype.create', {
      type: 4,
      name: 'dutybot',
      script: doc.script,
      parameters: doc.parameters,
      timeout: '10s',
      maxattempts: 3,
      process_tags: 0,
      show_event_menu: 0,
      // "The Zabbix defaults work": Zabbix 6.0's default webhook templates.
      message_templates: [
        { eventsource: 0, recovery: 0, subject: 'Problem: {EVENT.NAME}', message: 'Problem started at {EVENT.TIME} on {EVENT.DATE}\nProblem name: {EVENT.NAME}\nHost: {HOST.NAME}\nSeverity: {EVENT.SEVERITY}' },
        { eventsource: 0, recovery: 1, subject: 'Resolved in {EVENT.DURATION}: {EVENT.NAME}', message: 'Problem has been resolved at {EVENT.RECOVERY.TIME} on {EVENT.RECOVERY.DATE}\nProblem name: {EVENT.NAME}\nHost: {HOST.NAME}' },
        { eventsource: 0, recovery: 2, subject: 'Updated problem in {EVENT.AGE}: {EVENT.NAME}', message: '{USER.FULLNAME} {EVENT.UPDATE.ACTION} problem at {EVENT.UPDATE.DATE} {EVENT.UPDATE.TIME}.\n{EVENT.UPDATE.MESSAGE}' },
      ],
    });
    // Section 3: a user who can read the host group, with the dutybot media; an action with
    // recovery and update operations "Notify all involved".
    const { usrgrpids } = await api.call<{ usrgrpids: string[] }>('usergroup.create', { name: 'dutybot', rights: [{ permission: 2, id: groupid }] });
    const { userids } = await api.call<{ userids: string[] }>('user.create', {
      username: 'dutybot',
      passwd: 'e2e-Secret-Pass-7',
      roleid: '1',
      usrgrps: [{ usrgrpid: usrgrpids[0] }],
      medias: [{ mediatypeid: mediatypeids[0], sendto: 'dutybot', active: 0, severity: 63, period: '1-7,00:00-24:00' }],
    });
    await api.call('action.create', {
      name: 'dutybot',
      eventsource: 0,
      status: 0,
      esc_period: '1h',
      filter: { evaltype: 0, conditions: [{ conditiontype: 0, operator: 0, value: groupid }] },
      operations: [{ operationtype: 0, esc_step_from: 1, esc_step_to: 1, opmessage: { default_msg: 1, mediatypeid: mediatypeids[0] }, opmessage_usr: [{ userid: userids[0] }] }],
      recovery_operations: [{ operationtype: 11, opmessage: { default_msg: 1 } }],
      update_operations: [{ operationtype: 12, opmessage: { default_msg: 1 } }],
    });

    // The host, its item and trigger last: when the server's configuration cache has the item (the
    // test's first value is taken), it has the action too, so the first problem is acted upon.
    const { hostids } = await api.call<{ hostids: string[] }>('host.create', { host: HOST, groups: [{ groupid }] });
    await api.call('item.create', { hostid: hostids[0], name: 'Queue stuck', key_: ITEM, type: 2, value_type: 3 });
    const trig = await api.call<{ triggerids: string[] }>('trigger.create', {
      description: 'Queue stuck on {HOST.NAME}',
      expression: `last(/${HOST}/${ITEM})=1`,
      priority: 4,
      tags: [{ tag: 'service', value: 'payments' }],
    });
    triggerId = trig.triggerids[0]!;
  });

  afterAll(async () => {
    // Clients first, so that PostgreSQL's shutdown waits for nobody; then whatever is left.
    await frontend?.stop();
    await server?.stop();
    await pg?.stop();
    await stopAllTools();
    dutybot?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('problem → alert at the event time; an acknowledgement in Zabbix → an update of that alert; recovery → resolved at the recovery time', async () => {
    const [problem] = await sendUntil('1', async () => {
      const list = await api.call<Array<{ eventid: string; clock: string }>>('problem.get', { objectids: [triggerId] });
      return list.length > 0 && list;
    }, 'Zabbix problem');
    const opened = await eventually(async () => (await alerts('open')).find((a) => a.dedupKey === problem!.eventid), 60_000, 'alert in dutybot').catch(explain);
    expect(opened.title).toBe(`Queue stuck on ${HOST}`);
    expect(label(opened, 'service')).toBe('payments');
    expect(label(opened, 'hostgroup')).toBe('dutybot e2e');
    expect(new Date(opened.sourceStartedAt!).getTime()).toBe(Number(problem!.clock) * 1000);

    // The acknowledgement is made as Admin, in Zabbix, not in dutybot.
    await api.call('event.acknowledge', { eventids: [problem!.eventid], action: 2 | 4, message: 'looking at the queue' });
    const updated = await eventually(async () => {
      const a = (await alerts('open')).find((x) => x.id === opened.id);
      return a && (a as RestAlert & { count: number }).count >= 2 && a;
    }, 60_000, 'problem update reached dutybot').catch(explain);
    expect(updated.state).toBe('triggered');
    expect((await alerts('open,resolved')).filter((a) => a.dedupKey === problem!.eventid)).toHaveLength(1);

    await sendUntil('0', async () => (await api.call<unknown[]>('problem.get', { objectids: [triggerId] })).length === 0, 'Zabbix recovery');
    const resolved = await eventually(async () => (await alerts('resolved')).find((a) => a.id === opened.id), 60_000, 'resolved in dutybot').catch(explain);
    const [event] = await api.call<Array<{ r_eventid: string }>>('event.get', { eventids: [problem!.eventid] });
    const [recovery] = await api.call<Array<{ clock: string }>>('event.get', { eventids: [event!.r_eventid] });
    expect(new Date(resolved.sourceEndedAt!).getTime()).toBe(Number(recovery!.clock) * 1000);
  });
});
