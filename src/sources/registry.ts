import type { SourceType } from '../core/types.js';
import { alertmanagerParser } from './alertmanager/parse.js';
import { apiParser } from './api/parse.js';
import { grafanaParser } from './grafana/parse.js';
import { graylogParser } from './graylog/parse.js';
import type { SourceParser } from './types.js';
import { zabbixParser } from './zabbix/parse.js';

/** Every source, registered by hand: adding one is a line here, not a folder-name convention. */
export const parsers: Readonly<Record<SourceType, SourceParser>> = {
  api: apiParser,
  alertmanager: alertmanagerParser,
  zabbix: zabbixParser,
  graylog: graylogParser,
  grafana: grafanaParser,
};

for (const [type, p] of Object.entries(parsers)) {
  if (p.type !== type) throw new Error(`parser registered as ${type} says it is ${p.type}`);
}
