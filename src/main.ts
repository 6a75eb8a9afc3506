import { resolve } from 'node:path';
import { adaptersFromEnv } from '../adapters/index.js';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load.js';
import { log } from './log.js';
import { startDutybot } from './start.js';
import { provisionDatabase, withDatabase } from './store/provision.js';
import { stopOnSignals } from './shutdown.js';

const DATABASE_NAME = 'dutybot';

/** `npm start`: config, a database (provisioned locally when none is given), and dutybot. */
async function main(): Promise<void> {
  const dataDir = resolve(process.env.DUTYBOT_DATA_DIR ?? './data');
  const configPath = resolve(process.env.DUTYBOT_CONFIG ?? './dutybot.yaml');
  const config = loadConfig({ path: configPath, dataDir });
  // Signals are handled from the start: a SIGTERM while starting still stops what was started.
  let db: Awaited<ReturnType<typeof provisionDatabase>> | undefined;
  let bot: Awaited<ReturnType<typeof startDutybot>> | undefined;
  const shutdown = stopOnSignals({
    log,
    stop: async () => {
      await bot?.stop();
      await db?.stop();
    },
  });
  // dutybot's own database is the one whose answers show the server is not hung (decision 0018).
  db = await provisionDatabase({ dataDir, log, supervise: { watchDatabase: DATABASE_NAME } });
  const port = Number(process.env.PORT ?? 8080);
  const adapters = adaptersFromEnv({ env: process.env, config, dataDir, log });
  log.info({ chat: adapters.map((a) => a.platform) }, adapters.length ? 'chat adapters on' : 'no chat credentials: chat is off');
  // Behind a TLS proxy the console's cookies must be `Secure`; only the operator knows there is one.
  const trustProxy = /^(1|true|yes)$/i.test(process.env.DUTYBOT_TRUST_PROXY ?? '');
  bot = await startDutybot({ config, mongoUri: withDatabase(db.uri, DATABASE_NAME), port, adapters, databaseHealth: db.supervisor, trustProxy });
  log.info({ url: bot.url, config: config.generated ? 'generated (no dutybot.yaml)' : configPath }, 'dutybot is running');
  // The link is a secret: on the terminal only, never in the JSON log.
  const signIn = await bot.console.adminLink(config.notify.publicUrl?.replace(/\/+$/, '') ?? bot.url);
  if (config.generated) printFirstSteps(bot.url, config);
  process.stdout.write(`Open the web console (one-time admin sign-in link, valid 15 minutes; restart for a new one):\n  ${signIn}\n\n`);

  // The embedded database would not come back: exit non-zero so that a process manager restarts
  // the whole (docs/decisions/0010). The reason says what to check.
  db.supervisor?.once('gave-up', (reason) => {
    log.fatal({ reason }, 'database gave up');
    process.stderr.write(`dutybot: ${reason}\n`);
    void shutdown.begin('database gave up', 1);
  });
}

/** No config file: show the generated credentials once, on the terminal only (never in the JSON log). */
function printFirstSteps(url: string, config: ReturnType<typeof loadConfig>): void {
  const key = config.integrations[0]!.key;
  const token = config.members[0]!.apiToken!;
  process.stdout.write(
    [
      '',
      'No dutybot.yaml found: running with a generated demo set-up (copy dutybot.example.yaml to start your own).',
      'Send a first alert:',
      `  curl -sS -X POST ${url}/api/v1/events -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
      `    -d '{"eventType":"trigger","dedupKey":"disk-web-1","title":"Disk almost full on web-1","severity":"warning","host":"web-1"}'`,
      'See it, and claim it as the demo member "admin":',
      `  curl -sS ${url}/api/v1/alerts -H 'Authorization: Bearer ${token}'`,
      `  curl -sS -X POST ${url}/api/v1/alerts/1/claim -H 'Authorization: Bearer ${token}'`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    log.fatal(`configuration error: ${err.message}`);
    process.stderr.write(`configuration error: ${err.message}\n`);
  } else {
    log.fatal({ err }, 'dutybot could not start');
  }
  process.exit(1);
});
