// `npm run docs:screenshots`: the console's main pages, in English and Chinese, as docs/console/*.png.
// A throwaway dutybot on a throwaway database with a few demo alerts; Debian's chromium draws them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { parseConfig } from '../src/config/load.js';
import { log } from '../src/log.js';
import { startDutybot } from '../src/start.js';
import { provisionDatabase, withDatabase } from '../src/store/provision.js';

const OUT = resolve('docs/console');
const KEY = 'demo-key-0123456789abcdef';
const TOKEN = 'demo-token-0123456789ab';

const config = {
  ...parseConfig(
    JSON.stringify({
      locale: 'zh',
      integrations: [{ name: 'prometheus', type: 'api', key: KEY, team: 'ops' }],
      members: [
        { id: 'zhang', name: '张三', apiToken: TOKEN },
        { id: 'li', name: '李四' },
      ],
      teams: [{ id: 'ops', name: '运维', members: ['zhang', 'li'], schedule: 'primary' }],
      schedules: [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'weekly', start: '2026-01-05' }] }],
    }),
    {},
  ),
  generated: false,
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dutybot-shots-'));
  const db = await provisionDatabase({ dataDir, log });
  const bot = await startDutybot({ config, mongoUri: withDatabase(db.uri, 'shots'), port: 0, host: '127.0.0.1', jobs: false, log });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const post = (path: string, body: unknown, auth: string) =>
      fetch(bot.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify(body) }).then((r) => r.json());
    const alerts = [
      { dedupKey: 'disk', title: 'Disk almost full on web-1 (92%)', severity: 'warning', host: 'web-1', labels: { env: 'prod' } },
      { dedupKey: 'kafka', title: 'Kafka 消费积压 orders-consumer', severity: 'critical', service: 'orders' },
      { dedupKey: 'cert', title: 'TLS certificate expires in 7 days: api.example.com', severity: 'info' },
    ];
    let first = 0;
    for (const a of alerts) {
      const r = (await post('/api/v1/events', { eventType: 'trigger', ...a }, KEY)) as { shortId: number };
      first ||= r.shortId;
    }
    await post(`/api/v1/alerts/${first}/claim`, {}, TOKEN);

    for (const [lang, locale] of [['en', 'en-GB'], ['zh', 'zh-CN']] as const) {
      const context = await browser.newContext({ locale, timezoneId: 'Asia/Shanghai', viewport: { width: 1100, height: 640 } });
      const page = await context.newPage();
      await page.goto(await bot.console.adminLink(bot.url));
      await page.waitForURL(`${bot.url}/`);
      for (const [name, path, ready] of [
        ['alerts', '/', 'tbody tr'],
        ['alert', `/alerts/${first}`, 'ol.timeline li'],
        ['oncall', '/oncall', 'table.oncall'],
        ['status', '/status', 'table.checks'],
        ['analytics', '/analytics', 'table.figures'],
        ['maintenance', '/maintenance', 'form.maint'],
        ['integrations', '/integrations', 'section.integration'],
        ['config', '/config', 'pre.config'],
      ] as const) {
        await page.goto(bot.url + path);
        await page.locator(ready).first().waitFor();
        await page.locator('#live[data-state="up"]').waitFor();
        await page.screenshot({ path: join(OUT, `${name}-${lang}.png`), fullPage: true });
        process.stdout.write(`docs/console/${name}-${lang}.png\n`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await bot.stop();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
