import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { feishuDomain, FeishuAppAdapter } from '../../../adapters/feishu/app-adapter.js';
import { cardClickRequest, decodeHandle, messageRequest } from '../../../adapters/feishu/inbound.js';
import { appCard, bytes, robotCard } from '../../../adapters/feishu/render.js';
import { maskHook, sign } from '../../../adapters/feishu/webhook-adapter.js';
import { adaptersFromEnv } from '../../../adapters/index.js';
import type { AlertCard } from '../../../src/bot/card.js';
import { log } from '../../../src/log.js';
import { testConfig, testConfigInput } from '../../support/bot.js';

const card = (over: Partial<AlertCard> = {}): AlertCard => ({
  kind: 'alert',
  alertId: '665f1c2e9b1d8c0012345678',
  shortId: 12,
  ref: '#12',
  severity: 'warning',
  state: 'triggered',
  locale: 'zh',
  colour: '#f9ab00',
  heading: '🟠 #12 <b>Disk</b> almost *full*',
  status: '待认领',
  fields: [{ label: '主机', value: 'web-1' }],
  labels: [{ name: 'alertname', value: 'DiskFull' }],
  links: [],
  mentions: [{ name: '张三', feishu: 'ou_zhang' }],
  actions: [
    { id: 'claim', label: '认领', style: 'primary' },
    { id: 'mute', label: '静默', options: [{ value: '1800000', label: '30分钟' }] },
  ],
  commandHint: '回复命令：认领 12',
  text: '🟠 #12 Disk almost full\n待认领',
  runs: [{ name: 'restart-nginx', label: '重启 nginx', command: '执行 restart-nginx 12', confirm: { title: '确认', text: '重启？', ok: '是', cancel: '否' } }],
  ...over,
});

describe('Feishu card rendering', () => {
  it('buttons carry the action and the alert back; menus carry their choices; a confirmed run has a dialog', () => {
    const json = JSON.stringify(appCard(card()));
    expect(json).toContain('"value":{"action":"claim","alertId":"665f1c2e9b1d8c0012345678"}');
    expect(json).toContain('"tag":"select_static"');
    expect(json).toContain('"value":"1800000"');
    expect(json).toContain('"confirm":{"title"');
    expect(json).toContain('"update_multi":true');
    // The heading is plain text: no markup gets in.
    expect(json).toContain('"title":{"tag":"plain_text","content":"🟠 #12 <b>Disk</b> almost *full*"}');
  });

  it("a custom bot's card has no buttons, @-mentions the owner, and shrinks to fit 20 KB", () => {
    const huge = card({ fields: Array.from({ length: 40 }, (_, i) => ({ label: `f${i}`, value: 'x'.repeat(2000) })) });
    const json = robotCard(huge, 19 * 1024);
    expect(bytes(json)).toBeLessThanOrEqual(19 * 1024);
    expect(JSON.stringify(json)).not.toContain('"tag":"button"');
    expect(JSON.stringify(robotCard(card(), 19 * 1024))).toContain('<at id=ou_zhang></at>');
  });
});

describe('Feishu events', () => {
  it('a group @-message becomes a command without the bot mention; a later mention names the person', () => {
    const req = messageRequest(
      {
        event_id: 'ev1',
        sender: { sender_id: { open_id: 'ou_li' }, sender_type: 'user' },
        message: { message_id: 'om1', chat_id: 'oc1', chat_type: 'group', message_type: 'text', content: '{"text":"@_user_1 转派 12 @_user_2"}', mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot' } }, { key: '@_user_2', id: { open_id: 'ou_wang' } }] },
      },
      'open_id',
    )!;
    expect(req).toMatchObject({ platform: 'feishu', userId: 'ou_li', channel: 'oc1', text: '转派 12 ou_wang', deliveryId: 'ev1' });
    expect(decodeHandle(req.replyTo.handle)).toEqual({ user: 'ou_li', idType: 'open_id', messageId: 'om1', p2p: false });
    expect(messageRequest({ sender: { sender_type: 'app' }, message: { chat_id: 'oc1', message_type: 'text', content: '{"text":"hi"}' } }, 'open_id')).toBeNull();
  });

  it('a menu choice comes back as the value; members may be mapped by user_id', () => {
    const click = cardClickRequest(
      { event_id: 'ev2', operator: { open_id: 'ou_li', user_id: 'li01' }, action: { value: { action: 'mute', alertId: 'a1' }, option: '1800000' }, context: { open_message_id: 'om2', open_chat_id: 'oc1' } },
      'user_id',
    )!;
    expect(click.req).toMatchObject({ action: 'mute', alertRef: 'a1', value: '1800000', userId: 'li01', channel: 'oc1' });
    expect(cardClickRequest({ operator: { open_id: 'ou_li' }, action: { value: { action: 'drop-table', alertId: 'a1' } }, context: { open_chat_id: 'oc1' } }, 'open_id')).toBeNull();
  });
});

describe('Feishu settings', () => {
  it('the custom bot signs with HMAC-SHA256 keyed by "timestamp\\nsecret" over nothing; its token is masked in logs', () => {
    const expected = createHmac('sha256', '1700000000\nsecret').update(Buffer.alloc(0)).digest('base64');
    expect(sign('1700000000', 'secret')).toBe(expected);
    expect(maskHook('https://open.feishu.cn/open-apis/bot/v2/hook/abcdef-123456')).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/…3456');
  });

  it('Lark by a domain setting; the app from the environment, custom bots from the channels', () => {
    expect(feishuDomain(undefined)).toBe('https://open.feishu.cn');
    expect(feishuDomain('lark')).toBe('https://open.larksuite.com');
    expect(feishuDomain('https://open.example.internal/')).toBe('https://open.example.internal');
    const input = testConfigInput();
    input.teams![0]!.channels = [{ platform: 'feishu-webhook', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc', secret: 's' }];
    const adapters = adaptersFromEnv({ env: { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 'x' }, config: testConfig(input), dataDir: '/tmp', log });
    expect(adapters.map((a) => a.platform).sort()).toEqual(['feishu', 'feishu-webhook']);
    expect(() => FeishuAppAdapter.fromEnv({ FEISHU_APP_ID: 'cli_x' }, log)).toThrow(/FEISHU_APP_SECRET/);
  });
});
