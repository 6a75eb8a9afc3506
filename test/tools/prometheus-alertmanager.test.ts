import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest } from '../fakes/slack-signing.js';
import { freshDatabaseUri, KEYS, TOKENS } from '../support/bot.js';
import { spawnDutybot, type DutybotProcess } from '../support/dutybot-process.js';
import { eventually } from '../support/wait.js';
import { label, listAlerts, metric } from './support/dutybot-rest.js';
import { TestExporter } from './support/exporter.js';
import { startAlertmanager, startPrometheus, type RunningTool } from './support/prometheus.js';
import { stopAllTools } from './support/tool-process.js';
import { WebhookRecorder } from './support/webhook-recorder.js';

/**
 * Real Prometheus and Alertmanager (Debian's packages) drive a real dutybot process: a gauge the
 * test serves fires a rule, Alertmanager posts to dutybot as the README configures it, and the
 * card, the claim, the resolution and the Watchdog heartbeat are checked as a user sees them.
 */

const SECRET = 'slack-signing-secret-e2e';
const OPS = 'C0OPS';
const HEARTBEAT = 'prometheus-watchdog';
// dutybot's shortest allowed heartbeat interval; Alertmanager re-sends the Watchdog every ~2 s.
const HEARTBEAT_INTERVAL_S = 10;
const GROUP_SIZE = 300;

function dutybotConfig(): ConfigInput {
  return {
    locale: 'zh',
    integrations: [{ name: 'prometheus', type: 'alertmanager', key: KEYS.alertmanager, team: 'ops', watchdog: 'Watchdog' }],
    members: [{ id: 'zhang', name: '张三', apiToken: TOKENS.zhang, slack: 'U0ZHANG' }],
    teams: [{ id: 'ops', name: '运维', members: ['zhang'], channels: [{ platform: 'slack', channel: OPS }] }],
    heartbeats: [{ name: HEARTBEAT, integration: 'prometheus', interval: `${HEARTBEAT_INTERVAL_S}s`, grace: '0s' }],
  };
}

const ruleGroups = [
  {
    name: 'e2e',
    rules: [
      { alert: 'QueueStuck', expr: 'e2e_queue_stuck == 1', for: '1s', labels: { severity: 'critical' }, annotations: { summary: 'Queue {{ $labels.queue }} is stuck' } },
      { alert: 'NodeDown', expr: 'e2e_node_down == 1', for: '1s', labels: { severity: 'warning' }, annotations: { summary: 'Node {{ $labels.node }} is down' } },
    ],
  },
  // The README's Watchdog rule, as written there.
  {
    name: 'dutybot-watchdog',
    rules: [
      {
        alert: 'Watchdog',
        expr: 'vector(1)',
        labels: { severity: 'none' },
        annotations: { summary: 'Always firing, so that dutybot notices when the alerting pipeline stops.' },
      },
    ],
  },
];

/** The README's receiver (URL and Bearer key), plus a recorder of what Alertmanager sent. */
function alertmanagerConfig(dutybotUrl: string, recorderUrl: string): unknown {
  return {
    // Prometheus sets endsAt on every alert; this only bounds alerts that come without one.
    global: { resolve_timeout: '5s' },
    route: {
      receiver: 'dutybot',
      group_by: ['alertname'],
      // Seconds instead of the defaults' 30 s / 5 min, so the suite takes seconds.
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
      routes: [
        // The README's Watchdog route, with its minute turned into seconds.
        { matchers: ['alertname = "Watchdog"'], receiver: 'dutybot', group_wait: '0s', group_interval: '1s', repeat_interval: '2s' },
      ],
    },
    receivers: [
      {
        name: 'dutybot',
        webhook_configs: [
          {
            url: `${dutybotUrl}/api/v1/webhooks/alertmanager`,
            http_config: { authorization: { type: 'Bearer', credentials: KEYS.alertmanager } },
            send_resolved: true,
          },
          { url: recorderUrl, send_resolved: true },
        ],
      },
    ],
  };
}

interface SentAlert {
  status: string;
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
}

describe('Prometheus and Alertmanager drive dutybot', () => {
  let exporter: TestExporter;
  let recorder: WebhookRecorder;
  let slack: FakeSlackApi;
  let dutybot: DutybotProcess;
  let dutybotStartedAt: number;
  let alertmanager: RunningTool;
  let prometheus: RunningTool;
  let dataDir: string;

  const alerts = (status: string) => listAlerts(dutybot.url, TOKENS.zhang, status);
  /** What Alertmanager last sent for one alert in this status. */
  const sent = (fingerprint: string, status: string): SentAlert | undefined =>
    (recorder.bodies as Array<{ alerts: SentAlert[] }>)
      .flatMap((b) => b.alerts)
      .reverse()
      .find((a) => a.fingerprint === fingerprint && a.status === status);
  const heartbeatAlerts = async () => (await alerts('triggered,acknowledged,resolved')).filter((a) => label(a, 'heartbeat') === HEARTBEAT);

  beforeAll(async () => {
    exporter = await TestExporter.start();
    recorder = await WebhookRecorder.start();
    slack = await FakeSlackApi.start();
    dataDir = mkdtempSync(join(tmpdir(), 'dutybot-e2e-'));
    dutybot = await spawnDutybot({
      dataDir,
      config: dutybotConfig(),
      env: {
        MONGODB_URI: freshDatabaseUri(),
        SLACK_BOT_TOKEN: 'xoxb-e2e-token',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        LOG_LEVEL: 'warn',
      },
    });
    dutybotStartedAt = Date.now();
    alertmanager = await startAlertmanager(alertmanagerConfig(dutybot.url, recorder.url));
    prometheus = await startPrometheus({ target: exporter.target, alertmanagerUrl: alertmanager.url, ruleGroups });
  });

  afterAll(async () => {
    await stopAllTools();
    dutybot?.kill();
    await Promise.all([exporter?.close(), recorder?.close(), slack?.close()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a firing rule → one card → a signed Slack click claims it → the metric clears → resolved at Alertmanager’s endsAt', async () => {
    exporter.set('e2e_queue_stuck', { queue: 'payments' }, 1);
    const opened = await eventually(async () => (await alerts('open')).find((a) => label(a, 'alertname') === 'QueueStuck'), 60_000, 'QueueStuck stored');
    expect(opened.title).toBe('Queue payments is stuck');
    expect(label(opened, 'queue')).toBe('payments');
    // Each alert is identified by Alertmanager's fingerprint (README).
    const firing = sent(opened.dedupKey, 'firing');
    expect(firing, 'Alertmanager sent it firing under this fingerprint').toBeDefined();
    expect(new Date(opened.sourceStartedAt!).getTime()).toBe(new Date(firing!.startsAt).getTime());

    // A card carries the alert's id in its buttons (until it is resolved and they go).
    const postsOf = (alertId: string) => slack.callsTo('chat.postMessage').filter((c) => c.response.ok && JSON.stringify(c.args).includes(`dutybot:${alertId}`));
    const posted = await eventually(() => postsOf(opened.id)[0], 30_000, 'card posted');
    const card = slack.message(OPS, String(posted.response.ts))!;
    expect(JSON.stringify(card)).toContain('Queue payments is stuck');

    const click = await signedSlackRequest(
      `${dutybot.url}/slack/events`,
      SECRET,
      blockActionsBody({ userId: 'U0ZHANG', channel: OPS, messageTs: card.ts, actionId: 'dutybot:claim', value: opened.id, blockId: `dutybot:${opened.id}`, responseUrl: slack.responseUrl() }),
      FORM,
    );
    expect(click.status).toBe(200);
    await eventually(async () => (await alerts('acknowledged')).some((a) => a.id === opened.id), 30_000, 'claimed');
    await eventually(() => JSON.stringify(slack.message(OPS, card.ts)).includes('张三'), 30_000, 'card shows the owner');

    exporter.set('e2e_queue_stuck', { queue: 'payments' }, 0);
    const resolved = await eventually(async () => (await alerts('resolved')).find((a) => a.id === opened.id), 60_000, 'resolved');
    const ended = sent(opened.dedupKey, 'resolved');
    expect(ended, 'Alertmanager sent the resolution').toBeDefined();
    expect(new Date(resolved.sourceEndedAt!).toISOString()).toBe(new Date(ended!.endsAt).toISOString());
    await eventually(() => JSON.stringify(slack.message(OPS, card.ts)).includes('已关闭'), 30_000, 'card shows it resolved');
    // Alertmanager re-sent the firing alert meanwhile (Prometheus re-sends it every second): still one card.
    expect(postsOf(opened.id)).toHaveLength(1);
  });

  it(`a group of ${GROUP_SIZE} alerts fires and resolves at once: every one stored, opened and resolved`, async () => {
    const nodes = Array.from({ length: GROUP_SIZE }, (_, i) => `node-${String(i).padStart(3, '0')}`);
    for (const node of nodes) exporter.set('e2e_node_down', { node }, 1);
    const nodeDown = async (status: string) => (await alerts(status)).filter((a) => label(a, 'alertname') === 'NodeDown');
    const open = await eventually(async () => {
      const list = await nodeDown('open');
      return list.length === GROUP_SIZE && list;
    }, 90_000, `${GROUP_SIZE} NodeDown alerts open`);
    expect(new Set(open.map((a) => label(a, 'node')))).toEqual(new Set(nodes));
    const batches = (recorder.bodies as Array<{ alerts: SentAlert[] }>).filter((b) => b.alerts.some((a) => a.labels.alertname === 'NodeDown'));
    process.stdout.write(`[e2e] NodeDown firing reached dutybot in ${batches.length} webhook(s) of ${batches.map((b) => b.alerts.length).join(', ')} alerts\n`);

    for (const node of nodes) exporter.set('e2e_node_down', { node }, 0);
    const resolved = await eventually(async () => {
      const list = await nodeDown('resolved');
      return list.length === GROUP_SIZE && list;
    }, 90_000, `${GROUP_SIZE} NodeDown alerts resolved`);
    expect(resolved.every((a) => a.sourceEndedAt)).toBe(true);
    expect(await nodeDown('open')).toHaveLength(0);
  });

  it('the Watchdog keeps the heartbeat up while Prometheus runs, and it fires once after Prometheus stops', async () => {
    const up = `dutybot_heartbeat_up{name="${HEARTBEAT}"}`;
    // Up for at least two intervals on the Watchdog alone (the tests above usually took longer).
    await eventually(() => Date.now() - dutybotStartedAt > 2 * HEARTBEAT_INTERVAL_S * 1000, 30_000, 'two heartbeat intervals');
    expect(await metric(dutybot.url, up)).toBe(1);
    const lastPing = await metric(dutybot.url, `dutybot_heartbeat_last_ping_timestamp_seconds{name="${HEARTBEAT}"}`);
    expect(Date.now() / 1000 - lastPing!).toBeLessThan(HEARTBEAT_INTERVAL_S);
    expect(await heartbeatAlerts()).toHaveLength(0);
    // The Watchdog itself never becomes an alert.
    expect((await alerts('triggered,acknowledged,resolved')).filter((a) => label(a, 'alertname') === 'Watchdog')).toHaveLength(0);

    const stoppedAt = Date.now();
    await prometheus.stop();
    const [fired] = await eventually(async () => {
      const list = await heartbeatAlerts();
      return list.length > 0 && list;
    }, 60_000, 'heartbeat alert');
    const firedAfterS = (Date.now() - stoppedAt) / 1000;
    process.stdout.write(`[e2e] heartbeat fired ${firedAfterS.toFixed(1)} s after Prometheus stopped\n`);
    expect(fired!.state).toBe('triggered');
    expect(await metric(dutybot.url, up)).toBe(0);

    // "Once" is about time passing: wait one more interval, in which a repeating check would fire again.
    await new Promise((r) => setTimeout(r, (HEARTBEAT_INTERVAL_S + 2) * 1000));
    const after = await heartbeatAlerts();
    expect(after).toHaveLength(1);
    expect(after[0]!.state).toBe('triggered');
    expect(await metric(dutybot.url, up)).toBe(0);
    // …and the channel heard of it once: one card.
    const cards = slack.callsTo('chat.postMessage').filter((c) => c.response.ok && JSON.stringify(c.args).includes(`dutybot:${fired!.id}`));
    expect(cards).toHaveLength(1);
  });
});
