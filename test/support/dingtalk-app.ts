import { DingTalkAppAdapter } from '../../adapters/dingtalk/app-adapter.js';
type Options = ConstructorParameters<typeof DingTalkAppAdapter>[0];
import { log } from '../../src/log.js';
import type { FakeDingTalk } from '../fakes/dingtalk-server.js';

/**
 * The real DingTalk app adapter (dingtalk-stream SDK) pointed at the fake, with the card template
 * of docs/dingtalk.md and a quick reconnect, as the scenario tests use it.
 */
export function dingTalkAppOn(fake: FakeDingTalk, more: Partial<Options> = {}): DingTalkAppAdapter {
  return new DingTalkAppAdapter({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    robotCode: fake.robotCode,
    cardTemplateId: 'dutybot-alert.schema',
    apiUrl: fake.url,
    log,
    reconnectMs: { first: 50, max: 500 },
    ...more,
  });
}
