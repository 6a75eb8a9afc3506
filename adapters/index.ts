import type { ChatAdapter } from '../src/bot/chat-adapter.js';
import type { LoadedConfig } from '../src/config/load.js';
import type { Logger } from '../src/log.js';
import { DingTalkAppAdapter } from './dingtalk/app-adapter.js';
import { DingTalkWebhookAdapter } from './dingtalk/webhook-adapter.js';
import { FeishuAppAdapter } from './feishu/app-adapter.js';
import { FeishuWebhookAdapter } from './feishu/webhook-adapter.js';
import { SlackAdapter } from './slack/adapter.js';
import { WechatyAdapter } from './wechat/wechaty-adapter.js';
import { WeComWebhookAdapter } from './wechat/wecom-webhook-adapter.js';

export interface AdapterSetup {
  env: NodeJS.ProcessEnv;
  config: LoadedConfig;
  /** The wechaty session file lives here. */
  dataDir: string;
  log: Logger;
}

/**
 * Builds the chat adapters that are configured. The one place that knows every adapter:
 * an app (Slack, DingTalk app robot, wechaty) is on when its credentials are in the environment;
 * a webhook robot (DingTalk custom robot, WeCom robot) is on when a team's channel uses it.
 */
export function adaptersFromEnv({ env, config, dataDir, log }: AdapterSetup): ChatAdapter[] {
  const channels = config.teams.flatMap((t) => t.channels);
  const adapters: Array<ChatAdapter | null> = [
    SlackAdapter.fromEnv(env, log),
    DingTalkAppAdapter.fromEnv(env, log),
    WechatyAdapter.fromEnv(env, dataDir, log),
    FeishuAppAdapter.fromEnv(env, log),
  ];
  const dingtalkRobots = new Map(
    channels.flatMap((c) => (c.platform === 'dingtalk-webhook' ? [[c.url, c.secret ?? ''] as [string, string]] : [])),
  );
  if (dingtalkRobots.size) adapters.push(DingTalkWebhookAdapter.fromEnv(env, log, dingtalkRobots));
  if (channels.some((c) => c.platform === 'wecom-webhook')) adapters.push(WeComWebhookAdapter.fromEnv(env, log));
  const feishuBots = new Map(channels.flatMap((c) => (c.platform === 'feishu-webhook' ? [[c.url, c.secret ?? ''] as [string, string]] : [])));
  if (feishuBots.size) adapters.push(FeishuWebhookAdapter.fromEnv(env, log, feishuBots));
  return adapters.filter((a): a is ChatAdapter => a !== null);
}
