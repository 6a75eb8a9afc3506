import type { ChatAdapter } from '../src/bot/chat-adapter.js';
import type { Logger } from '../src/log.js';
import { SlackAdapter } from './slack/adapter.js';

/**
 * Builds the chat adapters whose credentials are in the environment. The one place that knows
 * every adapter; a platform without credentials is simply off (and /readyz does not list it).
 */
export function adaptersFromEnv(env: NodeJS.ProcessEnv, log: Logger): ChatAdapter[] {
  const adapters: ChatAdapter[] = [];
  const slack = SlackAdapter.fromEnv(env, log);
  if (slack) adapters.push(slack);
  return adapters;
}
