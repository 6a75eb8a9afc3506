import { readdirSync } from 'node:fs';
import { toolVersion } from '../support/tool-process.js';

/** Says which versions the Zabbix suite ran against, and how long it took. */
export default function setup(): () => void {
  const started = Date.now();
  const pg = readdirSync('/usr/lib/postgresql').sort().at(-1)!;
  for (const v of [toolVersion('zabbix_server', ['-V']), toolVersion(`/usr/lib/postgresql/${pg}/bin/postgres`), toolVersion('php')]) process.stdout.write(`[e2e zabbix] ${v}\n`);
  return () => process.stdout.write(`[e2e zabbix] suite took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
