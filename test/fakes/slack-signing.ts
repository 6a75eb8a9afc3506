import { createHmac, randomBytes } from 'node:crypto';

/**
 * Requests as Slack sends them to an app: signed with the app's signing secret
 * (`v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`), and bodies in Slack's real shapes.
 * Interactive payloads and slash commands are form-encoded with the content type *exactly*
 * `application/x-www-form-urlencoded`: Bolt compares the header verbatim and parses anything
 * else (`…; charset=utf-8` included) as JSON.
 */

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export function slackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(signingSecret: string, body: string, contentType: string, timestamp = nowSeconds()): Record<string, string> {
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(signingSecret, timestamp, body),
  };
}

/** POSTs `body` to `url` as Slack would, signed; `extraHeaders` e.g. `{ 'x-slack-retry-num': '1' }`. */
export function signedSlackRequest(
  url: string,
  signingSecret: string,
  body: string,
  contentType: string,
  timestamp?: number,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { ...signedHeaders(signingSecret, body, contentType, timestamp), ...extraHeaders },
    body,
  });
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

const TEAM = { id: 'T0DUTYBOT', domain: 'dutybot-test' };
const APP_ID = 'A0DUTYBOT';

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${randomBytes(3).toString('hex')}`.toUpperCase();
}

/** An action timestamp like Slack's (`1700000000.123456`), distinct per call. */
function actionTs(): string {
  counter += 1;
  return `${nowSeconds()}.${String(counter % 1_000_000).padStart(6, '0')}`;
}

export interface BlockActionsInput {
  userId: string;
  userName?: string;
  channel: string;
  messageTs: string;
  actionId: string;
  /** Button value (dutybot puts the alert id there). */
  value?: string;
  /** For a static_select: the chosen option. */
  selectedOption?: { value: string; text?: string };
  blockId?: string;
  responseUrl?: string;
  triggerId?: string;
  actionTs?: string;
  /** Where the card lives: a coloured attachment (dutybot's layout) or top-level blocks. */
  container?: 'message_attachment' | 'message';
}

/** The JSON payload of a `block_actions` interaction. */
export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  const blockId = input.blockId ?? 'actions';
  const action: Record<string, unknown> = input.selectedOption
    ? {
        type: 'static_select',
        action_id: input.actionId,
        block_id: blockId,
        selected_option: { text: { type: 'plain_text', text: input.selectedOption.text ?? input.selectedOption.value, emoji: true }, value: input.selectedOption.value },
        placeholder: { type: 'plain_text', text: 'Choose', emoji: true },
        action_ts: input.actionTs ?? actionTs(),
      }
    : {
        type: 'button',
        action_id: input.actionId,
        block_id: blockId,
        text: { type: 'plain_text', text: input.actionId, emoji: true },
        ...(input.value !== undefined ? { value: input.value } : {}),
        action_ts: input.actionTs ?? actionTs(),
      };
  const inAttachment = (input.container ?? 'message_attachment') === 'message_attachment';
  return {
    type: 'block_actions',
    user: { id: input.userId, username: input.userName ?? input.userId.toLowerCase(), name: input.userName ?? input.userId.toLowerCase(), team_id: TEAM.id },
    api_app_id: APP_ID,
    token: 'legacy-verification-token',
    container: inAttachment
      ? { type: 'message_attachment', message_ts: input.messageTs, attachment_id: 1, channel_id: input.channel, is_ephemeral: false, is_app_unfurl: false }
      : { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    trigger_id: input.triggerId ?? `${nowSeconds()}.${unique('TR')}`,
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channel, name: 'ops' },
    message: { type: 'message', ts: input.messageTs, bot_id: 'B0DUTYBOT', text: 'card' },
    state: { values: {} },
    ...(input.responseUrl ? { response_url: input.responseUrl } : {}),
    actions: [action],
  };
}

/** `payload=<urlencoded JSON>`: send with content type exactly {@link FORM}. */
export function blockActionsBody(input: BlockActionsInput): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(input)) }).toString();
}

export interface SlashCommandInput {
  userId: string;
  userName?: string;
  channel: string;
  text: string;
  triggerId?: string;
  command?: string;
  /** Point it at the fake (`fake.responseUrl()`): Bolt's `respond()` posts there. */
  responseUrl: string;
}

/** A slash command as Slack posts it: form fields, content type {@link FORM}. */
export function slashCommandBody(input: SlashCommandInput): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: input.channel,
    channel_name: 'ops',
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? '/alert',
    text: input.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? `${nowSeconds()}.${unique('TR')}`,
  }).toString();
}

export interface MessageEventInput {
  userId: string;
  channel: string;
  text: string;
  eventId?: string;
  ts?: string;
  /** The bot's user id, listed in `authorizations` as Slack does. */
  botUserId?: string;
}

function eventCallback(event: Record<string, unknown>, input: MessageEventInput): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: TEAM.id,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: input.eventId ?? unique('Ev'),
    event_time: nowSeconds(),
    authorizations: [{ enterprise_id: null, team_id: TEAM.id, user_id: input.botUserId ?? 'U0DUTYBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: unique('EC'),
  };
}

/** An `app_mention` event callback (JSON); `text` should contain the `<@BOT>` mention. */
export function appMentionEvent(input: MessageEventInput): string {
  const ts = input.ts ?? actionTs();
  return JSON.stringify(
    eventCallback({ type: 'app_mention', user: input.userId, text: input.text, ts, channel: input.channel, event_ts: ts, team: TEAM.id }, input),
  );
}

/** A `message.im` event callback: a direct message to the bot. */
export function directMessageEvent(input: MessageEventInput): string {
  const ts = input.ts ?? actionTs();
  return JSON.stringify(
    eventCallback(
      { type: 'message', channel_type: 'im', user: input.userId, text: input.text, ts, channel: input.channel, event_ts: ts, team: TEAM.id },
      input,
    ),
  );
}
