import { describe, expect, it } from 'vitest';
import { adaptersFromEnv } from '../../adapters/index.js';
import { log } from '../../src/log.js';
import { testConfig, testConfigInput } from '../support/bot.js';

describe('adapters are on when configured', () => {
  it('none without credentials or robot channels', () => {
    expect(adaptersFromEnv({ env: {}, config: testConfig(), dataDir: '/tmp', log })).toEqual([]);
  });

  it('apps from the environment, robots from the teams’ channels', () => {
    const input = testConfigInput();
    input.teams![0]!.channels = [
      { platform: 'dingtalk-webhook', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: 'SECabc' },
      { platform: 'wecom-webhook', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1' },
    ];
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'signing-secret',
      DINGTALK_CLIENT_ID: 'ding-id',
      DINGTALK_CLIENT_SECRET: 'ding-secret',
      DINGTALK_CARD_TEMPLATE_ID: 'tpl.schema',
      WECHATY_PUPPET: 'wechaty-puppet-mock',
    };
    const platforms = adaptersFromEnv({ env, config: testConfig(input), dataDir: '/tmp/dutybot-test', log }).map((a) => a.platform);
    expect(platforms.sort()).toEqual(['dingtalk', 'dingtalk-webhook', 'slack', 'wechat', 'wecom-webhook']);
  });

  it('a half-configured app stops start-up with a clear message', () => {
    expect(() => adaptersFromEnv({ env: { SLACK_BOT_TOKEN: 'xoxb-1' }, config: testConfig(), dataDir: '/tmp', log })).toThrow(/SLACK_SIGNING_SECRET/);
  });
});
