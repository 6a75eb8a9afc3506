import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { renderBlocks } from '../../adapters/slack/render.js';
import type { AlertCard } from '../../src/bot/card.js';
import type { BotReply, InboundRequest } from '../../src/bot/chat-adapter.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeSlackSocket } from '../fakes/slack-socket.js';
import {
  FORM,
  JSON_TYPE,
  appMentionEvent,
  blockActionsBody,
  blockActionsPayload,
  directMessageEvent,
  nowSeconds,
  signedSlackRequest,
  slashCommandBody,
} from '../fakes/slack-signing.js';

/**
 * The Slack adapter with the real Bolt SDK: outbound against the fake Web API, inbound through
 * `adapter.router` mounted on a bare express app, with requests signed like Slack's.
 */

const SECRET = 'test-signing-secret-0123456789';
const TOKEN = 'xoxb-test-0000-dutybot';
const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

function card(overrides: Partial<AlertCard> = {}): AlertCard {
  return {
    kind: 'alert',
    alertId: '665f1c2e9b1d8c0012345678',
    shortId: 12,
    ref: '#12',
    severity: 'critical',
    state: 'triggered',
    locale: 'en',
    colour: '#d93025',
    heading: '🔴 #12 Disk almost full on web-1',
    status: 'Triggered · 09:41',
    fields: [
      { label: 'Host', value: 'web-1' },
      { label: 'Team', value: 'ops <core> & friends' },
    ],
    labels: [
      { name: 'alertname', value: 'DiskFull' },
      { name: 'env', value: 'prod' },
    ],
    links: [{ text: 'Runbook', href: 'https://runbooks.example.com/disk?a=1&b=2' }],
    mentions: [],
    actions: [
      { id: 'claim', label: 'Claim', style: 'primary' },
      { id: 'resolve', label: 'Resolve', style: 'danger' },
      { id: 'escalate', label: 'Escalate' },
      { id: 'reassign', label: 'Reassign…', options: [{ value: 'm-ana', label: 'Ana' }, { value: 'm-bo', label: 'Bo' }] },
      { id: 'mute', label: 'Mute…', options: [{ value: '1800000', label: '30 min' }] },
    ],
    commandHint: 'claim 12 · resolve 12',
    text: '🔴 #12 Disk almost full on web-1 — Triggered',
    ...overrides,
  };
}

describe('SlackAdapter (Bolt against the fake Slack API)', () => {
  let fake: FakeSlackApi;
  let adapter: SlackAdapter;
  let server: Server;
  let eventsUrl: string;
  const received: InboundRequest[] = [];
  let answer: BotReply | null = null;
  let handlerError: Error | undefined;

  beforeAll(async () => {
    fake = await FakeSlackApi.start({ tokens: [TOKEN] });
    adapter = new SlackAdapter({ botToken: TOKEN, signingSecret: SECRET, apiUrl: fake.apiUrl, log });
    expect(adapter.status().state).toBe('off');
    expect(adapter.router).toBeDefined();
    const app = express();
    app.use(adapter.router!);
    server = await new Promise<Server>((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    await adapter.start(async (req) => {
      received.push(req);
      if (handlerError) throw handlerError;
      return answer;
    });
  });

  afterAll(async () => {
    await adapter?.stop();
    await new Promise<void>((ok) => server?.close(() => ok()));
    server?.closeAllConnections();
    await fake?.close();
  });

  beforeEach(() => {
    received.length = 0;
    answer = null;
    handlerError = undefined;
  });

  it('starts after auth.test and reports ready', async () => {
    expect(fake.callsTo('auth.test')).toHaveLength(1);
    expect(adapter.status()).toEqual({ state: 'ready' });
    expect(adapter.platform).toBe('slack');
    expect(adapter.capabilities).toEqual({ edit: true, buttons: true, receive: true });
  });

  it('posts a card as blocks in a coloured attachment, then updates it in place', async () => {
    const posted = await adapter.post('C0OPS', card());
    expect(posted.kind).toBe('sent');
    if (posted.kind !== 'sent') return;
    expect(posted.value).toMatchObject({ platform: 'slack', channel: 'C0OPS' });
    expect(posted.value.messageId).toMatch(/^\d{10}\.\d{6}$/);

    const call = fake.callsTo('chat.postMessage').at(-1)!;
    expect(call.token).toBe(TOKEN);
    expect(call.args.text).toBe('🔴 #12 Disk almost full on web-1 — Triggered');
    expect(call.args.blocks).toEqual([{ type: 'header', text: { type: 'plain_text', text: '🔴 #12 Disk almost full on web-1', emoji: true } }]);
    const [attachment] = call.args.attachments as Array<{ color: string; blocks: Array<Record<string, any>> }>;
    expect(attachment!.color).toBe('#d93025');
    const blocks = attachment!.blocks;
    expect(blocks.map((b) => b.type)).toEqual(['context', 'section', 'context', 'section', 'actions']);
    expect(blocks[1]!.fields[1].text).toBe('*Team*\nops &lt;core&gt; &amp; friends');
    expect(blocks[2]!.elements[0].text).toBe('`alertname=DiskFull`  `env=prod`');
    expect(blocks[3]!.text.text).toBe('<https://runbooks.example.com/disk?a=1&amp;b=2|Runbook>');
    const actions = blocks[4]!;
    expect(actions.block_id).toBe('dutybot:665f1c2e9b1d8c0012345678');
    expect(actions.elements[0]).toMatchObject({ type: 'button', action_id: 'dutybot:claim', value: '665f1c2e9b1d8c0012345678', style: 'primary' });
    expect(actions.elements[1]).toMatchObject({ action_id: 'dutybot:resolve', style: 'danger' });
    expect(actions.elements[2]).not.toHaveProperty('style');
    expect(actions.elements[3]).toMatchObject({
      type: 'static_select',
      action_id: 'dutybot:reassign',
      options: [
        { text: { type: 'plain_text', text: 'Ana' }, value: 'm-ana' },
        { text: { type: 'plain_text', text: 'Bo' }, value: 'm-bo' },
      ],
    });
    expect(actions.elements[4]).toMatchObject({ type: 'static_select', action_id: 'dutybot:mute' });

    const updated = await adapter.update(posted.value, card({ status: 'Acknowledged · Ana · 09:45', colour: '#188038', actions: [{ id: 'resolve', label: 'Resolve' }] }));
    expect(updated).toEqual({ kind: 'sent', value: undefined });
    const now = fake.message('C0OPS', posted.value.messageId)!;
    expect(now.edits).toBe(1);
    const nowAttachment = (now.attachments as Array<{ color: string; blocks: Array<Record<string, any>> }>)[0]!;
    expect(nowAttachment.color).toBe('#188038');
    expect(nowAttachment.blocks[0]!.elements[0].text).toBe('Acknowledged · Ana · 09:45');
    expect(nowAttachment.blocks.at(-1)!.elements).toHaveLength(1);
  });

  it("@-mentions people with a new reply in the card's thread; an alert title's <!channel> stays text", async () => {
    const posted = await adapter.post('C0OPS', card());
    if (posted.kind !== 'sent') throw new Error('card not posted');
    const people = [{ name: 'Ana', slack: 'U0ANA' }, { name: 'Bo <x>' }];
    const sent = await adapter.mention(posted.value, { people, text: 'escalated to you: 🔴 #12 <!channel> disk full', broadcast: true });
    expect(sent).toEqual({ kind: 'sent', value: undefined });
    const call = fake.callsTo('chat.postMessage').at(-1)!;
    expect(call.args).toMatchObject({ channel: 'C0OPS', thread_ts: posted.value.messageId, reply_broadcast: 'true' });
    expect(call.args.text).toBe('<@U0ANA> Bo &lt;x&gt; escalated to you: 🔴 #12 &lt;!channel&gt; disk full');
    // Nobody with a Slack id: nobody's phone would buzz, so nothing is posted.
    const before = fake.callsTo('chat.postMessage').length;
    expect(await adapter.mention(posted.value, { people: [{ name: 'Bo' }], text: 'x', broadcast: false })).toMatchObject({ kind: 'unsupported' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(before);
  });

  it('turns a 429 with Retry-After into a retry after that many seconds', async () => {
    fake.rateLimit('chat.postMessage', 1, 3);
    const before = fake.callsTo('chat.postMessage').length;
    const res = await adapter.post('C0OPS', card());
    expect(res).toMatchObject({ kind: 'retry', afterMs: 3000 });
    // One attempt only: the SDK did not retry behind the outbox's back.
    expect(fake.callsTo('chat.postMessage').length).toBe(before + 1);
    expect((await adapter.post('C0OPS', card())).kind).toBe('sent');
  });

  it('maps Slack errors: permanent ones fail, transient ones retry', async () => {
    fake.failNext('chat.postMessage', 'channel_not_found');
    expect(await adapter.post('C0GONE', card())).toEqual({ kind: 'failed', error: 'channel_not_found' });
    fake.failNext('chat.update', 'message_not_found');
    expect(await adapter.update({ platform: 'slack', channel: 'C0OPS', messageId: '1.2' }, card())).toEqual({ kind: 'failed', error: 'message_not_found' });
    fake.failNext('chat.postMessage', 'internal_error');
    expect(await adapter.post('C0OPS', card())).toMatchObject({ kind: 'retry', afterMs: 5000 });
  });

  it('reports itself degraded when Slack refuses the token, and recovers', async () => {
    fake.failNext('chat.postMessage', 'invalid_auth');
    expect(await adapter.post('C0OPS', card())).toEqual({ kind: 'failed', error: 'invalid_auth' });
    expect(adapter.status()).toMatchObject({ state: 'degraded' });
    expect((await adapter.post('C0OPS', card())).kind).toBe('sent');
    expect(adapter.status()).toEqual({ state: 'ready' });
  });

  it('delivers a signed button click as an ActionRequest and sends the private answer ephemerally', async () => {
    answer = { text: 'You claimed #12', private: true };
    const body = blockActionsBody({
      userId: 'U0ANA',
      userName: 'ana',
      channel: 'C0OPS',
      messageTs: '1700000000.000100',
      actionId: 'dutybot:claim',
      value: '665f1c2e9b1d8c0012345678',
      blockId: 'dutybot:665f1c2e9b1d8c0012345678',
      actionTs: '1700000100.000001',
      responseUrl: fake.responseUrl(),
    });
    const res = await signedSlackRequest(eventsUrl, SECRET, body, FORM);
    expect(res.status).toBe(200);
    const eph = await fake.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.text === 'You claimed #12');
    expect(eph.args).toMatchObject({ channel: 'C0OPS', user: 'U0ANA' });
    expect(received).toEqual([
      {
        kind: 'action',
        platform: 'slack',
        userId: 'U0ANA',
        userName: 'ana',
        channel: 'C0OPS',
        action: 'claim',
        alertRef: '665f1c2e9b1d8c0012345678',
        replyTo: { platform: 'slack', channel: 'C0OPS', handle: 'U0ANA' },
        deliveryId: '1700000000.000100:1700000100.000001:U0ANA',
      },
    ]);
  });

  it('takes a select choice: the option value, and the alert from the block id', async () => {
    const body = blockActionsBody({
      userId: 'U0ANA',
      channel: 'C0OPS',
      messageTs: '1700000000.000100',
      actionId: 'dutybot:reassign',
      selectedOption: { value: 'm-bo', text: 'Bo' },
      blockId: 'dutybot:665f1c2e9b1d8c0012345678',
    });
    expect((await signedSlackRequest(eventsUrl, SECRET, body, FORM)).status).toBe(200);
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({ kind: 'action', action: 'reassign', alertRef: '665f1c2e9b1d8c0012345678', value: 'm-bo' });
  });

  it('answers 401 to a bad signature and never calls the handler', async () => {
    const body = blockActionsBody({ userId: 'U0EVE', channel: 'C0OPS', messageTs: '1.1', actionId: 'dutybot:resolve', value: 'x' });
    const res = await signedSlackRequest(eventsUrl, 'not-the-secret', body, FORM);
    expect(res.status).toBe(401);
    const unsigned = await fetch(eventsUrl, { method: 'POST', headers: { 'content-type': FORM }, body });
    expect(unsigned.status).toBe(401);
    await settle();
    expect(received).toEqual([]);
  });

  it('answers 401 to a request signed more than five minutes ago (replay)', async () => {
    const body = blockActionsBody({ userId: 'U0ANA', channel: 'C0OPS', messageTs: '1.1', actionId: 'dutybot:resolve', value: 'x' });
    const res = await signedSlackRequest(eventsUrl, SECRET, body, FORM, nowSeconds() - 6 * 60);
    expect(res.status).toBe(401);
    await settle();
    expect(received).toEqual([]);
  });

  it('survives malformed bodies that carry a valid signature', async () => {
    const cases: Array<[string, string]> = [
      ['payload=%7Bnot-json', FORM],
      ['{"no":"type"}', JSON_TYPE],
      ['{"event":5}', JSON_TYPE],
      ['{"event":null}', JSON_TYPE],
      ['{"event":{"type":"app_mention","channel":null,"text":"claim 1"}}', JSON_TYPE],
      ['{"event":{"type":"app_mention","user":null,"channel":"C1","text":"claim 1"}}', JSON_TYPE],
      ['{"event":{"type":"app_mention","channel":"C1","text":"claim 1"}}', JSON_TYPE],
      ['[1,2,3]', JSON_TYPE],
      ['not json at all', 'text/plain'],
      [new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: [null] }) }).toString(), FORM],
      [new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'dutybot:claim' }] }) }).toString(), FORM],
      [new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'dutybot:nope', value: 'x' }] }) }).toString(), FORM],
    ];
    for (const [body, type] of cases) {
      const started = Date.now();
      const res = await signedSlackRequest(eventsUrl, SECRET, body, type);
      expect(res.status, body).toBeGreaterThanOrEqual(200);
      expect(res.status, body).toBeLessThan(500);
      expect(Date.now() - started, body).toBeLessThan(2_000);
    }
    await settle();
    expect(received).toEqual([]);
    // Still alive and serving.
    const ok = await signedSlackRequest(
      eventsUrl,
      SECRET,
      slashCommandBody({ userId: 'U0ANA', channel: 'C0OPS', text: 'help', responseUrl: fake.responseUrl() }),
      FORM,
    );
    expect(ok.status).toBe(200);
  });

  it('delivers /alert claim 12 as a CommandRequest with the trigger id as delivery id', async () => {
    answer = { text: 'Claimed #12', private: false };
    const body = slashCommandBody({ userId: 'U0ANA', userName: 'ana', channel: 'C0OPS', text: 'claim 12', triggerId: '1234.5678.abc', responseUrl: fake.responseUrl() });
    const res = await signedSlackRequest(eventsUrl, SECRET, body, FORM);
    expect(res.status).toBe(200);
    await fake.waitFor((c) => c.method === 'chat.postMessage' && c.args.text === 'Claimed #12' && c.args.channel === 'C0OPS');
    expect(received).toEqual([
      {
        kind: 'command',
        platform: 'slack',
        userId: 'U0ANA',
        userName: 'ana',
        channel: 'C0OPS',
        text: 'claim 12',
        replyTo: { platform: 'slack', channel: 'C0OPS', handle: 'U0ANA' },
        deliveryId: '1234.5678.abc',
      },
    ]);
  });

  it('falls back to the response_url when the bot may not post in the channel', async () => {
    answer = { text: 'Not allowed here', private: true };
    fake.failNext('chat.postEphemeral', 'channel_not_found');
    const responseUrl = fake.responseUrl();
    const body = slashCommandBody({ userId: 'U0ANA', channel: 'G0SECRET', text: 'claim 12', responseUrl });
    expect((await signedSlackRequest(eventsUrl, SECRET, body, FORM)).status).toBe(200);
    const hit = await fake.waitFor((c) => c.method === 'response_url');
    expect(hit.args).toMatchObject({ response_type: 'ephemeral', text: 'Not allowed here', response_url_id: responseUrl.split('/').pop() });
  });

  it('handles an app_mention once even when Slack retries it with the same event_id', async () => {
    const body = appMentionEvent({ eventId: 'Ev0MENTION1', userId: 'U0ANA', channel: 'C0OPS', text: `<@${fake.botUserId}> resolve 12 <@U0BO>` });
    const first = await signedSlackRequest(eventsUrl, SECRET, body, JSON_TYPE);
    expect(first.status).toBe(200);
    const retry = await signedSlackRequest(eventsUrl, SECRET, body, JSON_TYPE, undefined, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(retry.status).toBe(200);
    await until(() => received.length >= 1);
    await settle();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ kind: 'command', userId: 'U0ANA', channel: 'C0OPS', text: 'resolve 12 <@U0BO>', deliveryId: 'Ev0MENTION1' });
  });

  it('takes direct messages as commands and ignores its own messages', async () => {
    answer = { text: 'ok', private: true };
    const dm = directMessageEvent({ userId: 'U0ANA', channel: 'D0ANA', text: 'ack 12' });
    expect((await signedSlackRequest(eventsUrl, SECRET, dm, JSON_TYPE)).status).toBe(200);
    // In a DM a private answer is an ordinary message: ephemerals there are pointless.
    await fake.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'D0ANA' && c.args.text === 'ok');
    expect(received[0]).toMatchObject({ kind: 'command', channel: 'D0ANA', text: 'ack 12' });

    const own = directMessageEvent({ userId: fake.botUserId, channel: 'D0ANA', text: 'ok' });
    expect((await signedSlackRequest(eventsUrl, SECRET, own, JSON_TYPE)).status).toBe(200);
    await settle();
    expect(received).toHaveLength(1);
  });

  it('logs a failing handler and keeps serving', async () => {
    handlerError = new Error('boom');
    const body = slashCommandBody({ userId: 'U0ANA', channel: 'C0OPS', text: 'claim 12', responseUrl: fake.responseUrl() });
    expect((await signedSlackRequest(eventsUrl, SECRET, body, FORM)).status).toBe(200);
    await until(() => received.length === 1);
    handlerError = undefined;
    const again = slashCommandBody({ userId: 'U0ANA', channel: 'C0OPS', text: 'claim 12', responseUrl: fake.responseUrl() });
    expect((await signedSlackRequest(eventsUrl, SECRET, again, FORM)).status).toBe(200);
    await until(() => received.length === 2);
  });

  it('answers url_verification challenges', async () => {
    const body = JSON.stringify({ token: 't', challenge: 'abc123', type: 'url_verification' });
    const res = await signedSlackRequest(eventsUrl, SECRET, body, JSON_TYPE);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'abc123' });
  });
});

describe('renderBlocks (Block Kit limits and escaping)', () => {
  it('keeps every text inside Slack limits and never lets alert text ping or link', () => {
    const long = 'x'.repeat(5000);
    const msg = renderBlocks(
      card({
        heading: `<!channel> ${long}`,
        status: `<!here> ${long}`,
        text: `<!channel> & ${long}`,
        fields: Array.from({ length: 14 }, (_, i) => ({ label: `F${i}`, value: `<@U1> ${long}` })),
        links: [
          { text: 'ok', href: 'https://example.com/a|b>c' },
          { text: 'bad', href: 'javascript:alert(1)' },
        ],
        actions: [
          { id: 'claim', label: long },
          { id: 'reassign', label: long, options: Array.from({ length: 130 }, (_, i) => ({ value: `m${i}`, label: long })) },
          { id: 'mute', label: 'Mute', options: [] },
        ],
      }),
    );
    expect(msg.text.length).toBeLessThanOrEqual(3900);
    expect(msg.text.startsWith('&lt;!channel&gt; &amp; ')).toBe(true);
    const header = msg.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    const blocks = msg.attachments![0]!.blocks as Array<Record<string, any>>;
    expect(blocks[0]!.elements[0].text.length).toBeLessThanOrEqual(3000);
    expect(blocks[0]!.elements[0].text.startsWith('&lt;!here&gt;')).toBe(true);
    expect(blocks[1]!.fields).toHaveLength(10);
    for (const f of blocks[1]!.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
    const links = blocks.find((b) => b.type === 'section' && b.text)!;
    expect(links.text.text).toBe('<https://example.com/a%7Cb%3Ec|ok>');
    const actions = blocks.at(-1)!;
    expect(actions.elements).toHaveLength(2); // mute without choices is left out
    expect(actions.elements[0].text.text.length).toBeLessThanOrEqual(75);
    expect(actions.elements[1].options).toHaveLength(100);
    expect(actions.elements[1].placeholder.text.length).toBeLessThanOrEqual(150);
    expect(actions.elements[1].options[0].text.text.length).toBeLessThanOrEqual(75);
    // mrkdwn texts (and the mrkdwn `text` fallback) are escaped; plain_text is shown as typed.
    const mrkdwnTexts = JSON.stringify(msg, (k, v: unknown) => (k === '' || typeof v !== 'object' || v === null || (v as { type?: string }).type !== 'plain_text' ? v : undefined));
    expect(mrkdwnTexts).not.toMatch(/<!channel>|<!here>|<@U1>/);
  });

  it('renders a summary card as plain sections', () => {
    const msg = renderBlocks({ kind: 'summary', locale: 'en', heading: '+37 more for ops', lines: ['5 hosts', 'web-<1>'], text: '+37 more for ops' });
    expect(msg.attachments).toBeUndefined();
    expect(msg.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '+37 more for ops', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: '5 hosts\nweb-&lt;1&gt;', verbatim: true } },
    ]);
  });
});

describe('SlackAdapter start-up', () => {
  it('fromEnv is null without SLACK_BOT_TOKEN', () => {
    expect(SlackAdapter.fromEnv({}, log)).toBeNull();
    const a = SlackAdapter.fromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:1/api/' }, log);
    expect(a).toBeInstanceOf(SlackAdapter);
    expect(a!.router).toBeDefined();
    const socket = SlackAdapter.fromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, log);
    expect(socket!.router).toBeUndefined();
  });

  it('is degraded (not crashed) while Slack refuses the token, and the router answers 503', async () => {
    const fake = await FakeSlackApi.start({ tokens: ['xoxb-right'] });
    const adapter = new SlackAdapter({ botToken: 'xoxb-wrong', signingSecret: SECRET, apiUrl: fake.apiUrl, log });
    const app = express();
    app.use(adapter.router!);
    const server = await new Promise<Server>((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    try {
      await adapter.start(async () => null);
      expect(adapter.status()).toEqual({ state: 'degraded', detail: 'invalid_auth' });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
      const res = await signedSlackRequest(url, SECRET, slashCommandBody({ userId: 'U1', channel: 'C1', text: 'x', responseUrl: fake.responseUrl() }), FORM);
      expect(res.status).toBe(503);
    } finally {
      await adapter.stop();
      expect(adapter.status().state).toBe('off');
      await new Promise<void>((ok) => server.close(() => ok()));
      await fake.close();
    }
  });
});

describe('SlackAdapter in Socket Mode', () => {
  it('opens the connection through the configured API URL and takes envelopes from it', async () => {
    const fake = await FakeSlackApi.start({ tokens: [TOKEN, 'xapp-1-test'] });
    const socket = await FakeSlackSocket.start();
    fake.socketUrl = socket.url;
    const adapter = new SlackAdapter({ botToken: TOKEN, signingSecret: '', appToken: 'xapp-1-test', apiUrl: fake.apiUrl, log });
    const received: InboundRequest[] = [];
    try {
      expect(adapter.router).toBeUndefined();
      await adapter.start(async (req) => {
        received.push(req);
        return { text: `got ${req.kind}`, private: true };
      });
      expect(adapter.status()).toEqual({ state: 'ready' });
      const open = fake.callsTo('apps.connections.open');
      expect(open).toHaveLength(1);
      expect(open[0]!.token).toBe('xapp-1-test');
      expect(socket.connections).toHaveLength(1);

      const click = blockActionsPayload({ userId: 'U0ANA', channel: 'C0OPS', messageTs: '1700000000.000100', actionId: 'dutybot:resolve', value: 'a1' });
      const ack = await socket.deliver('interactive', click);
      expect(ack.envelope_id).toBeTruthy();
      await fake.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.text === 'got action');
      expect(received[0]).toMatchObject({ kind: 'action', action: 'resolve', alertRef: 'a1', userId: 'U0ANA' });

      const mention = JSON.parse(appMentionEvent({ eventId: 'Ev0SOCKET', userId: 'U0ANA', channel: 'C0OPS', text: `<@${fake.botUserId}> claim 7` })) as Record<string, unknown>;
      await socket.deliver('events_api', mention);
      await socket.deliver('events_api', mention, { retryAttempt: 1 });
      await fake.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.text === 'got command');
      await settle();
      expect(received.filter((r) => r.kind === 'command')).toHaveLength(1);
      expect(received[1]).toMatchObject({ text: 'claim 7', deliveryId: 'Ev0SOCKET' });

      const command = Object.fromEntries(new URLSearchParams(slashCommandBody({ userId: 'U0BO', channel: 'C0OPS', text: 'list', responseUrl: fake.responseUrl() })));
      await socket.deliver('slash_commands', command);
      await until(() => received.length === 3);
      expect(received[2]).toMatchObject({ kind: 'command', text: 'list', userId: 'U0BO' });
    } finally {
      await adapter.stop();
      await socket.close();
      await fake.close();
    }
    expect(adapter.status()).toEqual({ state: 'off' });
  });
});

/** Resolves once `cond()` holds (checked on each macrotask), failing after `ms`. */
async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

/** Lets in-flight listener work finish before asserting that something did *not* happen. */
function settle(ms = 150): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}
