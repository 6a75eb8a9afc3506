import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/store/provision.js';
import { eventually } from '../../support/wait.js';
import { startTool, type ToolProcess } from '../support/tool-process.js';
import type { Postgres } from './postgres.js';

/**
 * Zabbix 6.0 from Debian's packages, private to the test: its schema loaded into a private
 * PostgreSQL, `zabbix_server` in the foreground on a free trapper port, and the frontend (for its
 * JSON-RPC API) under PHP's built-in web server.
 */

export const SERVER_TZ = 'Asia/Shanghai';
const SQL_DIR = '/usr/share/zabbix-server-pgsql';
const FRONTEND_DIR = '/usr/share/zabbix';

export function loadZabbixSchema(pg: Postgres): void {
  pg.psql('postgres', 'CREATE DATABASE zabbix');
  for (const f of ['schema.sql.gz', 'images.sql.gz', 'data.sql.gz']) pg.load('zabbix', join(SQL_DIR, f));
}

export interface ZabbixServer {
  trapperPort: number;
  process: ToolProcess;
  stop(): Promise<void>;
}

export async function startZabbixServer(pg: Postgres): Promise<ZabbixServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dutybot-e2e-zabbix-server-'));
  const trapperPort = await freePortBelow(32768);
  const conf = join(dir, 'zabbix_server.conf');
  writeFileSync(
    conf,
    [
      'LogType=console',
      `PidFile=${join(dir, 'zabbix_server.pid')}`,
      `SocketDir=${dir}`,
      'DBHost=127.0.0.1',
      `DBPort=${pg.port}`,
      'DBName=zabbix',
      'DBUser=postgres',
      'ListenIP=127.0.0.1',
      `ListenPort=${trapperPort}`,
      // The test runs as root in CI; the server would otherwise switch to the `zabbix` user.
      'AllowRoot=1',
      // Items and actions the test creates through the API are seen within a second, not a minute.
      'CacheUpdateFrequency=1',
      // Only what a trapper item, a trigger and a webhook need: no pollers of agents or SNMP.
      'StartPollers=1', 'StartPollersUnreachable=1', 'StartPingers=0', 'StartDiscoverers=0', 'StartHTTPPollers=0',
      'StartTimers=1', 'StartEscalators=1', 'StartAlerters=1', 'StartTrappers=2', 'StartPreprocessors=1',
      'StartLLDProcessors=1', 'StartDBSyncers=1', 'StartHistoryPollers=1',
      'Timeout=10',
      '',
    ].join('\n'),
  );
  const process = await startTool({
    name: 'zabbix_server',
    command: 'zabbix_server',
    args: ['-f', '-c', conf],
    // Not UTC: {EVENT.DATE} {EVENT.TIME} are the server's local time, and the media type script
    // must turn them into the right instant (docs/zabbix-media-type.md, "Time").
    env: { ...globalThis.process.env, TZ: SERVER_TZ },
    removeOnStop: [dir],
  });
  let gone = false;
  void process.exited.then(() => (gone = true));
  await eventually(
    async () => {
      if (gone) throw new Error('zabbix_server exited at start');
      return accepts(trapperPort);
    },
    60_000,
    'zabbix_server trapper listening',
  ).catch(async (err: Error) => {
    await process.stop(1000);
    throw new Error(`${err.message}\n${process.output().slice(-4000)}`);
  });
  return {
    trapperPort,
    process,
    stop: () => process.stop(15_000),
  };
}

/**
 * Zabbix takes ListenPort only in 1024–32767, below Linux's ephemeral range (which port 0 would
 * give): try random ports there until one binds.
 */
async function freePortBelow(limit: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = 20_000 + Math.floor(Math.random() * (limit - 20_000));
    const free = await new Promise<boolean>((ok) => {
      const srv = createServer();
      srv.once('error', () => ok(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port below ${limit}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      ok(true);
    });
    socket.once('error', () => ok(false));
  });
}

export interface ZabbixFrontend {
  url: string;
  process: ToolProcess;
  stop(): Promise<void>;
}

/**
 * Debian's frontend reads its database settings from the absolute path /etc/zabbix/zabbix.conf.php
 * (CConfigFile::CONFIG_FILE_PATH). To leave the system's configuration alone, the test serves a
 * copy of the frontend whose constant names the copy's own configuration file.
 */
export async function startZabbixFrontend(pg: Postgres, server: ZabbixServer): Promise<ZabbixFrontend> {
  const dir = mkdtempSync(join(tmpdir(), 'dutybot-e2e-zabbix-frontend-'));
  const root = join(dir, 'zabbix');
  cpSync(FRONTEND_DIR, root, { recursive: true, dereference: false });
  const confPath = join(dir, 'zabbix.conf.php');
  const configFileClass = join(root, 'include/classes/core/CConfigFile.php');
  writeFileSync(configFileClass, readFileSync(configFileClass, 'utf8').replace("'/etc/zabbix/zabbix.conf.php'", `'${confPath}'`));
  writeFileSync(
    confPath,
    `<?php
$DB['TYPE'] = 'POSTGRESQL';
$DB['SERVER'] = '127.0.0.1';
$DB['PORT'] = '${pg.port}';
$DB['DATABASE'] = 'zabbix';
$DB['USER'] = 'postgres';
$DB['PASSWORD'] = '';
$DB['SCHEMA'] = '';
$DB['ENCRYPTION'] = false;
$DB['KEY_FILE'] = '';
$DB['CERT_FILE'] = '';
$DB['CA_FILE'] = '';
$DB['VERIFY_HOST'] = false;
$DB['CIPHER_LIST'] = '';
$DB['VAULT_URL'] = '';
$DB['VAULT_DB_PATH'] = '';
$DB['VAULT_TOKEN'] = '';
$DB['DOUBLE_IEEE754'] = true;
$ZBX_SERVER = '127.0.0.1';
$ZBX_SERVER_PORT = '${server.trapperPort}';
$ZBX_SERVER_NAME = 'dutybot-e2e';
$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = await startTool({
    name: 'php -S (zabbix frontend)',
    command: 'php',
    args: ['-d', 'memory_limit=256M', '-d', 'post_max_size=16M', '-d', 'max_execution_time=300', '-S', `127.0.0.1:${port}`, '-t', root],
    // PHP's server answers at once, even before the database is reachable; the API is polled by the caller.
    readyUrl: `${url}/index.php`,
    removeOnStop: [dir],
  });
  return {
    url,
    process,
    stop: () => process.stop(),
  };
}

/** Zabbix's JSON-RPC API (`/api_jsonrpc.php`), 6.0 style: the session token in the body's `auth`. */
export class ZabbixApi {
  private auth: string | null = null;
  private id = 0;
  constructor(readonly url: string) {}

  async login(username = 'Admin', password = 'zabbix'): Promise<void> {
    this.auth = null;
    this.auth = await this.call<string>('user.login', { username, password });
  }

  async call<T = unknown>(method: string, params: unknown): Promise<T> {
    const res = await fetch(`${this.url}/api_jsonrpc.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/json-rpc' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: ++this.id, auth: this.auth }),
    });
    const text = await res.text();
    let body: { result?: T; error?: { message: string; data: string } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`${method}: HTTP ${res.status}: ${text.slice(0, 500)}`);
    }
    if (body.error) throw new Error(`${method}: ${body.error.message} ${body.error.data}`);
    return body.result as T;
  }
}
